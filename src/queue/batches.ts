/**
 * Cloudflare Queues' limits on one `sendBatch`: at most 100 messages and 256 KB in all
 * (developers.cloudflare.com/queues/platform/limits). Counted in decimal kilobytes, the smaller reading.
 */
export const SEND_BATCH_LIMITS = { messages: 100, bytes: 256_000 } as const;

/**
 * Bytes counted per message on top of its JSON body: the trace carrier the producer adds (`_otel`:
 * a 55-character traceparent and a tracestate of up to 512 characters, W3C's limit, with the JSON
 * around them) and the queue's own per-message metadata, which Cloudflare puts at about 100 bytes.
 */
const PER_MESSAGE_OVERHEAD_BYTES = 700;

const utf8 = new TextEncoder();

/**
 * Splits `items` into consecutive batches that each fit one `sendBatch` (`bodyOf` gives the body
 * sent for an item, measured as UTF-8 JSON). A single body over the byte limit goes alone: the
 * queue refuses it, and that batch fails by itself.
 */
export function* sendBatches<T>(
  items: Iterable<T>,
  bodyOf: (item: T) => unknown,
  limits: { messages: number; bytes: number } = SEND_BATCH_LIMITS,
): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = utf8.encode(JSON.stringify(bodyOf(item))).byteLength + PER_MESSAGE_OVERHEAD_BYTES;
    if (batch.length > 0 && (batch.length >= limits.messages || bytes + size > limits.bytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
