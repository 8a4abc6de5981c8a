/** Must equal `max_retries` of every consumer in the wrangler.*.toml files (a test checks it). */
export const MAX_RETRIES = 3;
/** Deliveries a message gets before the consumer dead-letters it itself, with the reason. */
export const MAX_DELIVERY_ATTEMPTS = MAX_RETRIES + 1;

const BASE_DELAY_SECONDS = 2;
const MAX_DELAY_SECONDS = 300;

/**
 * Exponential backoff with full jitter (AWS architecture blog's "full jitter"), never shorter than
 * the upstream's Retry-After. `attempts` is the delivery that just failed (1 = first).
 */
export function retryDelaySeconds(attempts: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.ceil(ceiling * (0.5 + random() / 2));
  const floor = retryAfterSeconds !== undefined ? Math.ceil(retryAfterSeconds) : 0;
  return Math.min(MAX_DELAY_SECONDS, Math.max(jittered, floor));
}
