import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { requireBinding, type Env } from '../env';
import { withCarrier } from '../otel/queue-carrier';
import {
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
  MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES,
} from '../otel/messaging-attributes';
import { QUEUES, type QueueBody, type QueueName } from './queues';

const tracer = () => trace.getTracer('weather-landscape.queue');

export interface SendOptions {
  delaySeconds?: number;
}

/**
 * Sends one message: validated against the queue's schema, under a PRODUCER span
 * `send <queue>` whose context travels in the body.
 */
export function sendMessage<Q extends QueueName>(env: Env, queue: Q, body: QueueBody<Q>, options: SendOptions = {}): Promise<void> {
  return sendMessages(env, queue, [body], options);
}

/**
 * Sends several messages to one queue with a single `sendBatch`: one PRODUCER span for the
 * batch (with `messaging.batch.message_count`), its context in every body, so each consumer's
 * `process` span is a child of it.
 */
export function sendMessages<Q extends QueueName>(env: Env, queue: Q, bodies: QueueBody<Q>[], options: SendOptions = {}): Promise<void> {
  const { binding, schema } = QUEUES[queue];
  // A body that fails its own schema is a bug in this code: fail loudly at the producer.
  const valid = bodies.map((body) => schema.parse(body) as QueueBody<Q>);
  const sender = requireBinding(env, binding);
  const attributes = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES,
    [ATTR_MESSAGING_DESTINATION_NAME]: queue,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
    [ATTR_MESSAGING_OPERATION_NAME]: valid.length === 1 ? 'send' : 'sendBatch',
    ...(valid.length === 1 ? {} : { [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: valid.length }),
  };
  return tracer().startActiveSpan(`send ${queue}`, { kind: SpanKind.PRODUCER, attributes }, async (span: Span) => {
    try {
      const traced = valid.map((body) => withCarrier(body));
      if (traced.length === 1) await sender.send(traced[0], options);
      else await sender.sendBatch(traced.map((body) => ({ body, delaySeconds: options.delaySeconds })));
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.setAttribute(ATTR_ERROR_TYPE, (error as Error).name || '_OTHER');
      throw error;
    } finally {
      span.end();
    }
  });
}
