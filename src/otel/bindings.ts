import type { Env } from '../env';
import { readOtelSettings } from './config';
import { instrumentKV } from './kv';
import { instrumentQueueProducer, type QueueProducerOptions } from './queue-producer';
import { instrumentR2 } from './r2';

/** Which queue each producer binding of this worker sends to (a binding does not know its queue's name). */
export type QueueBindings = Partial<Record<keyof Env, string>>;

const isKV = (value: object): value is KVNamespace => 'getWithMetadata' in value;
const isR2 = (value: object): value is R2Bucket => 'createMultipartUpload' in value;
const isQueue = (value: object): value is Queue => 'sendBatch' in value;

const traced = new WeakMap<object, Env>();

/**
 * The worker's `env` with every binding instrumented ONCE, here at the boundary: KV and R2
 * operations are CLIENT spans, queue sends are messaging spans that carry each message's creation
 * context in its body (queue-producer.ts). Storage and pipeline modules take bindings from it and hold no tracing code.
 * Built once per env object (the runtime passes the same one to every invocation of an isolate).
 */
export function instrumentBindings(env: Env, queues: QueueBindings, producer: Pick<QueueProducerOptions, 'createSpans'> = {}): Env {
  const cached = traced.get(env);
  if (cached) return cached;
  const wrapped: Record<string, unknown> = { ...env };
  const { messageBodySize } = readOtelSettings(env);
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'object' || value === null) continue;
    if (isKV(value)) wrapped[name] = instrumentKV(value, name);
    else if (isR2(value)) wrapped[name] = instrumentR2(value, name);
    else if (isQueue(value)) wrapped[name] = instrumentQueueProducer(value, queues[name as keyof Env] ?? name, { ...producer, bodySize: messageBodySize });
  }
  traced.set(env, wrapped as unknown as Env);
  return wrapped as unknown as Env;
}
