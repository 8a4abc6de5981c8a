import { context, createContextKey, SpanKind, trace, type Attributes, type Context, type SpanContext } from '@opentelemetry/api';
import {
  ATTR_CF_QUEUES_BATCH_BODY_SIZES,
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_VALUE_CREATE,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
  MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES,
} from './messaging-attributes';
import { withCarrier } from './queue-carrier';
import { attributesOfBody, commonBodyAttributes, labelActiveSpan } from './context-attributes';
import { inLeafSpan, tracerFor } from './spans';

export interface QueueProducerOptions {
  /** Put each body's size on the span (Opt-In, see OtelSettings.messageBodySize): `messaging.message.body.size`, or per message for a batch. */
  bodySize?: boolean;
  /**
   * Whether each message of a `sendBatch` made in one context gets a `create <queue>` span of its own
   * (true, the default: the conventions' SHOULD for batches). False: the batch's one `send <queue>`
   * span (PRODUCER) is the creation context of all its messages, as for a single `send`: one span
   * instead of n + 1 where every message has the same parent anyway (e.g. the parts of
   * one job). Messages given creation contexts of their own ({@link withMessageParents}) get no `create` span.
   */
  createSpans?: boolean;
}

const MESSAGE_PARENTS = createContextKey('otel message creation parents');

/**
 * Runs `fn` so that `parents[i]` is the creation context of message i of each queue send inside it:
 * that context goes into the body, so the consumer's `process` span continues that message's own
 * trace, and the `send <queue>` span (in the caller's context) links to every one of them. This is
 * how one `sendBatch` starts many traces (schedule.ts, inNewTraces: each trace's root is its message's
 * creation context). `parents` must hold one context per message sent inside `fn`.
 */
export function withMessageParents<T>(parents: readonly Context[], fn: () => T): T {
  return context.with(context.active().setValue(MESSAGE_PARENTS, parents), fn);
}

type Outgoing = { body: unknown; contentType?: QueueContentType };

/**
 * A queue producer binding, traced by the messaging conventions (creation context per message):
 * - a `send` is ONE PRODUCER span `send <queue>` whose context goes into the body under `_otel`
 *   (the message's creation context), so the consumer's `process <queue>` span is its child;
 * - a `sendBatch` gives each message a `create <queue>` span (PRODUCER) whose context goes into that
 *   message, and one CLIENT span `send <queue>` (`messaging.batch.message_count`) that links to them
 *   all; with `createSpans: false`, a `sendBatch` is traced like a `send` (one PRODUCER span);
 * - inside {@link withMessageParents}, each message's creation context is the one given for it (no `create` span).
 * Applied once, to the binding in `env` (see bindings.ts); application code just calls send.
 */
export function instrumentQueueProducer(queue: Queue, queueName: string, options: QueueProducerOptions = {}): Queue {
  const send: Queue['send'] = (body, sendOptions) =>
    sendTraced(queueName, [{ body, contentType: sendOptions?.contentType }], false, options, ([sent]) => queue.send(sent, sendOptions));
  const sendBatch: Queue['sendBatch'] = (messages, batchOptions) => {
    const list = [...messages];
    return sendTraced(queueName, list, true, options, (bodies) =>
      queue.sendBatch(
        list.map((m, i) => ({ ...m, body: bodies[i] })),
        batchOptions,
      ),
    );
  };
  return new Proxy(queue, {
    get(target, prop) {
      if (prop === 'send') return send;
      if (prop === 'sendBatch') return sendBatch;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value.bind(target) as unknown) : value;
    },
  });
}

function sendTraced<R>(
  queueName: string,
  messages: Outgoing[],
  batch: boolean,
  options: QueueProducerOptions,
  call: (bodies: unknown[]) => Promise<R>,
): Promise<R> {
  const active = context.active();
  const parents = active.getValue(MESSAGE_PARENTS) as readonly Context[] | undefined;
  if (parents && parents.length !== messages.length) {
    return Promise.reject(new Error(`withMessageParents: ${parents.length} parent contexts for ${messages.length} messages to ${queueName}`));
  }
  const sizes = options.bodySize === true;
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES,
    [ATTR_MESSAGING_DESTINATION_NAME]: queueName,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
    [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
    // The conventions: on batch operations only, not on the one-message `send`.
    ...(batch ? { [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: messages.length } : {}),
  };
  // The context attributes the messages share: the span that sends them (a request, a consumer)
  // concerns their work as well, and so does the send span. Messages with parents of their own
  // (a cron's runs) belong to those parents, not to the caller's span.
  if (!parents) {
    const run = commonBodyAttributes(messages.map((m) => m.body));
    labelActiveSpan(run);
    Object.assign(attributes, run);
  }
  const tracer = tracerFor('queue');
  if (!parents && !(batch && options.createSpans !== false)) {
    // The send span is the creation context of its message(s): PRODUCER, its context in every body.
    // It is a leaf: never made active; the carrier is written from a context holding it.
    return inLeafSpan(tracer, `send ${queueName}`, { kind: SpanKind.PRODUCER, attributes }, (span) => {
      const ctx = trace.setSpan(active, span);
      const bodies = messages.map((m) => carried(m.body, m.contentType, ctx));
      if (sizes) span.setAttributes(sizeAttributes(bodies, batch));
      return call(bodies);
    });
  }
  // Given parents are the messages' creation contexts themselves (the cron's run roots): no span
  // between a run's root and its message. Otherwise each message gets a `create` span.
  const created = parents
    ? messages.map((m, i) => ({ body: carried(m.body, m.contentType, parents[i]), context: trace.getSpanContext(parents[i]) }))
    : messages.map((m) => createMessage(queueName, m, active, sizes));
  const bodies = created.map((c) => c.body);
  return inLeafSpan(tracer, `send ${queueName}`, { kind: SpanKind.CLIENT, attributes }, (span) => {
    // otel-cf-workers ignores SpanOptions.links: the links are added on the span.
    span.addLinks(created.flatMap((c) => (c.context ? [{ context: c.context }] : [])));
    if (sizes) span.setAttributes(sizeAttributes(bodies, batch));
    return call(bodies);
  });
}

/** One message's `create <queue>` span under `parent`, ended at once; the body carries its context. */
function createMessage(queueName: string, message: Outgoing, parent: Context, sizes: boolean): { body: unknown; context: SpanContext } {
  const span = tracerFor('queue').startSpan(
    `create ${queueName}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES,
        [ATTR_MESSAGING_DESTINATION_NAME]: queueName,
        [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_CREATE,
        [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_VALUE_CREATE,
        ...attributesOfBody(message.body),
      },
    },
    parent,
  );
  try {
    const body = carried(message.body, message.contentType, trace.setSpan(parent, span));
    if (sizes) span.setAttribute(ATTR_MESSAGING_MESSAGE_BODY_SIZE, bodySize(body));
    return { body, context: span.spanContext() };
  } finally {
    span.end();
  }
}

/** `messaging.message.body.size` for one message, one size per message for a batch (billing counts each message). */
function sizeAttributes(bodies: unknown[], batch: boolean): Attributes {
  return batch ? { [ATTR_CF_QUEUES_BATCH_BODY_SIZES]: bodies.map(bodySize) } : { [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: bodySize(bodies[0]) };
}

/**
 * The body's size in bytes as sent (UTF-8 JSON for structured bodies): queue operations are billed
 * per 64 KB of it, so a cost analysis reads it from the span when it is on.
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
