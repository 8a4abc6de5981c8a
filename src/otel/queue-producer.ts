import { context, SpanKind, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import {
  ATTR_CF_QUEUES_BATCH_BODY_SIZES,
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
  MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES,
} from './messaging-attributes';
import { withCarrier } from './queue-carrier';
import { commonRunAttributes, labelActiveSpan } from './run-attributes';
import { inLeafSpan, tracerFor } from './spans';

export interface QueueProducerOptions {
  /** Put each body's size on the span (Opt-In, see OtelSettings.messageBodySize): `messaging.message.body.size`, or per message for a batch. */
  bodySize?: boolean;
}

/**
 * A queue producer binding, traced: each `send` / `sendBatch` is ONE PRODUCER span `send <queue>`
 * (a batch carries `messaging.batch.message_count`), and the span's W3C context is written into
 * every object body under `_otel`, so each consumer's `process <queue>` span is its child.
 * Applied once, to the binding in `env` (see bindings.ts); application code just calls send.
 */
export function instrumentQueueProducer(queue: Queue, queueName: string, options: QueueProducerOptions = {}): Queue {
  const sizes = options.bodySize === true;
  const send: Queue['send'] = (body, sendOptions) =>
    traced(queueName, 'send', [body], (span, ctx) => {
      const sent = carried(body, sendOptions?.contentType, ctx);
      if (sizes) span.setAttribute(ATTR_MESSAGING_MESSAGE_BODY_SIZE, bodySize(sent));
      return queue.send(sent, sendOptions);
    });
  const sendBatch: Queue['sendBatch'] = (messages, batchOptions) => {
    const list = [...messages];
    return traced(queueName, 'sendBatch', list.map((m) => m.body), (span, ctx) => {
      const sent = list.map((m) => ({ ...m, body: carried(m.body, m.contentType, ctx) }));
      if (sizes) span.setAttribute(ATTR_CF_QUEUES_BATCH_BODY_SIZES, sent.map((m) => bodySize(m.body)));
      return queue.sendBatch(sent, batchOptions);
    });
  };
  return new Proxy(queue, {
    get(target, prop) {
      if (prop === 'send') return send;
      if (prop === 'sendBatch') return sendBatch;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function traced<R>(queueName: string, operation: 'send' | 'sendBatch', bodies: unknown[], call: (span: Span, ctx: Context) => Promise<R>): Promise<R> {
  const run = commonRunAttributes(bodies);
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES,
    [ATTR_MESSAGING_DESTINATION_NAME]: queueName,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
    [ATTR_MESSAGING_OPERATION_NAME]: operation,
    ...(operation === 'sendBatch' ? { [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: bodies.length } : {}),
    ...run,
  };
  // The span that sends a run's message (the admin request, a consumer) concerns that run as well.
  // The send span is a leaf and carries the run's words itself: it is never made active; the
  // carrier is written from a context holding it, so the consumer's span is its child.
  labelActiveSpan(run);
  return inLeafSpan(tracerFor('queue'), `send ${queueName}`, { kind: SpanKind.PRODUCER, attributes }, (span) =>
    call(span, trace.setSpan(context.active(), span)),
  );
}

/**
 * The body's size in bytes as sent (UTF-8 JSON for structured bodies): queue operations are billed
 * per 64 KB of it, so the cost ledger (bench/lib/ledger.ts) reads it from the span when it is on.
 */
function bodySize(body: unknown): number {
  if (typeof body === 'string') return utf8.encode(body).byteLength;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  try {
    return utf8.encode(JSON.stringify(body) ?? '').byteLength;
  } catch {
    return 0; // a v8 body JSON cannot write (a BigInt, a cycle): sending it is what matters, not its size
  }
}
const utf8 = new TextEncoder();

/** Only structured bodies (JSON or v8 objects) can carry the context; text and bytes go as they are. */
function carried(body: unknown, contentType: QueueContentType | undefined, ctx: Context): unknown {
  const structured = contentType === undefined || contentType === 'json' || contentType === 'v8';
  if (!structured || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  if (!trace.getActiveSpan()) return body;
  return withCarrier(body, ctx);
}
