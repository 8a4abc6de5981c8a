import type { Context } from 'hono';
import { requireBinding } from '../env';
import type { WebEnv } from './web-env';

/**
 * Login attempts per client IP, counted by the platform's Rate Limiting binding (LOGIN_RATE_LIMIT,
 * `[[ratelimits]]` in wrangler.web.toml: 10 per 60 s). Not an in-memory counter: a Worker has many
 * isolates, each with its own memory. The binding's counts are per Cloudflare location and
 * eventually consistent, which is enough to make guessing the token by brute force hopeless.
 * `wrangler dev` and the vitest pool simulate it (miniflare's ratelimit plugin, fixed windows).
 */
export const LOGIN_RATE_PERIOD_SECONDS = 60;

/** Counts this attempt; false once the client has used up its attempts for the period. */
export async function loginAttemptAllowed(c: Context<WebEnv>): Promise<boolean> {
  // Cloudflare's edge sets it on every request, replacing any a client sent. (Locally, miniflare sets
  // it from the socket only when the client sent none, which the tests use to act as distinct clients.)
  const ip = c.req.header('cf-connecting-ip') ?? 'unknown';
  const { success } = await requireBinding(c.env, 'LOGIN_RATE_LIMIT').limit({ key: `login:${ip}` });
  return success;
}
