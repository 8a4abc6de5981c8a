import type { Context } from 'hono';
import { requireBinding } from '../env';
import type { WebEnv } from './web-env';

/**
 * Guesses at the admin credentials, per client IP, counted by the platform's Rate Limiting binding
 * (LOGIN_RATE_LIMIT, `[[ratelimits]]` in wrangler.web.toml: 10 per 60 s), one budget for every door:
 * - each login form post, counted before the token is compared;
 * - each admin request whose credentials fail: a wrong bearer token (any Authorization header that is
 *   not the right one), a forged, expired or logged-out session cookie, an Access JWT that does not
 *   verify. Right credentials are not counted, so scripts may call the API as often as they need.
 *
 * The binding only counts (each call is one more): it cannot say "this client is over" without
 * counting a good request too. So when it refuses a client, this isolate remembers the client until
 * the period ends and answers 429 to whatever credentials it sends, right or wrong, unchecked:
 * without that, a guess over the limit would get 429 when wrong and 200 when right, and the limit
 * would not slow guessing at all. Another isolate checks at most one more guess from that client
 * (its first failure there asks the binding, which refuses). The counters are the binding's, not
 * memory's (a Worker has many isolates); memory only keeps the binding's refusal.
 *
 * The client is CF-Connecting-IP: Cloudflare's edge sets it on every request, replacing any a client
 * sent. (Locally, miniflare sets it from the socket only when the client sent none, which the tests
 * use to act as distinct clients.) `wrangler dev` and the vitest pool simulate the binding
 * (miniflare's ratelimit plugin, fixed windows).
 */
export const AUTH_RATE_PERIOD_SECONDS = 60;
/** Refused clients remembered per isolate; the oldest is forgotten first beyond this. */
const MAX_REMEMBERED = 10_000;

const refusedUntil = new Map<string, number>();

function clientOf(c: Context<WebEnv>): string {
  return c.req.header('cf-connecting-ip') ?? 'unknown';
}

/** True while this client is refused: its credentials are not even checked. */
export function isClientRefused(c: Context<WebEnv>, nowMs = Date.now()): boolean {
  const client = clientOf(c);
  const until = refusedUntil.get(client);
  if (until === undefined) return false;
  if (until > nowMs) return true;
  refusedUntil.delete(client);
  return false;
}

/** Counts one guess; false once the client has used up its guesses for the period (then it is refused until the period ends). */
async function countGuess(c: Context<WebEnv>): Promise<boolean> {
  const client = clientOf(c);
  const { success } = await requireBinding(c.env, 'LOGIN_RATE_LIMIT').limit({ key: `login:${client}` });
  if (!success) {
    refusedUntil.delete(client);
    refusedUntil.set(client, Date.now() + AUTH_RATE_PERIOD_SECONDS * 1000);
    if (refusedUntil.size > MAX_REMEMBERED) refusedUntil.delete(refusedUntil.keys().next().value!);
  }
  return success;
}

/** Counts this login attempt; false once the client is over the limit. */
export async function loginAttemptAllowed(c: Context<WebEnv>): Promise<boolean> {
  return !isClientRefused(c) && (await countGuess(c));
}

/** Counts a failed admin authentication; false once the client is over the limit (answer 429, not 401). */
export function countFailedAuthentication(c: Context<WebEnv>): Promise<boolean> {
  return countGuess(c);
}
