import type { OtlpReceiver, ReceivedSpan } from '../../src/otel/testing';
import { sleep } from './stats';

const SETTLE_MS = 400;

/**
 * Polls `done()` (a bounded poll, not a fixed wait), then waits until no span arrived for 400 ms:
 * an invocation's export can trail the signal that made `done` true. Returns every span received.
 */
export async function settledSpans(receiver: OtlpReceiver, done: () => boolean, what: string, timeoutMs: number): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not complete within ${timeoutMs} ms (${receiver.spans.length} spans received)`);
    await sleep(50);
  }
  let seen = -1;
  while (receiver.spans.length !== seen) {
    seen = receiver.spans.length;
    await sleep(SETTLE_MS);
  }
  return [...receiver.spans];
}
