import { requireBinding, type Env } from '../env';
import { QUEUES, type QueueBody, type QueueName } from './queues';

export interface SendOptions {
  delaySeconds?: number;
}

/** Sends one message, validated against the queue's schema. */
export function sendMessage<Q extends QueueName>(env: Env, queue: Q, body: QueueBody<Q>, options: SendOptions = {}): Promise<void> {
  return sendMessages(env, queue, [body], options);
}

/**
 * Sends messages to one queue, validated against its schema; several go in a single `sendBatch`.
 * (The binding in `env` is traced at the worker's boundary: src/otel/bindings.ts.)
 */
export async function sendMessages<Q extends QueueName>(env: Env, queue: Q, bodies: QueueBody<Q>[], options: SendOptions = {}): Promise<void> {
  const { binding, schema } = QUEUES[queue];
  // A body that fails its own schema is a bug in this code: fail loudly at the producer.
  const valid = bodies.map((body) => schema.parse(body) as QueueBody<Q>);
  const sender = requireBinding(env, binding);
  if (valid.length === 1) await sender.send(valid[0], options);
  else await sender.sendBatch(valid.map((body) => ({ body, delaySeconds: options.delaySeconds })));
}
