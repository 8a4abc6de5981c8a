/** Must equal `max_retries` of every consumer in the wrangler.*.toml files (a test checks it). */
export const MAX_RETRIES = 3;
/** Deliveries a message gets before the consumer dead-letters it itself, with the reason. */
export const MAX_DELIVERY_ATTEMPTS = MAX_RETRIES + 1;

const BASE_DELAY_SECONDS = 2;
/** Our own backoff never grows past this; an upstream's Retry-After may ask for longer. */
export const MAX_BACKOFF_SECONDS = 300;
/** The longest `delaySeconds` Cloudflare Queues accepts (12 h, Queues docs; local miniflare would take 24 h). */
export const MAX_QUEUE_DELAY_SECONDS = 43_200;

/**
 * Exponential backoff with "equal jitter" (AWS architecture blog, "Exponential Backoff And
 * Jitter"): a random delay between half and all of the step `2 s × 2^(attempts-1)`, capped at
 * MAX_BACKOFF_SECONDS. Equal rather than full jitter: full jitter may pick 1 s at any attempt, so
 * with only four deliveries a retry could come straight back into the same outage; equal jitter
 * keeps at least half of each step (1, 2, 4 s).
 * Never shorter than the upstream's Retry-After (a 429 says when asking again is of use), up to
 * the longest delay Queues accepts. `attempts` is the delivery that just failed (1 = first).
 */
export function retryDelaySeconds(attempts: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
  const step = Math.min(MAX_BACKOFF_SECONDS, BASE_DELAY_SECONDS * 2 ** Math.max(0, attempts - 1));
  const backoff = Math.ceil(step / 2 + (step / 2) * random());
  const retryAfter = retryAfterSeconds !== undefined ? Math.ceil(retryAfterSeconds) : 0;
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(backoff, retryAfter));
}
