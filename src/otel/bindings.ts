import type { KeyTemplate } from './binding-proxy';
import { readOtelSettings, type OtelEnv } from './config';
import { instrumentKV } from './kv';
import { instrumentQueueProducer } from './queue-producer';
import { instrumentR2 } from './r2';

/** Which queue each producer binding of this worker sends to (a binding does not know its queue's name). */
export type QueueBindings<E = Record<string, unknown>> = Partial<Record<keyof E & string, string>>;

const isKV = (value: object): value is KVNamespace => 'getWithMetadata' in value;
const isR2 = (value: object): value is R2Bucket => 'createMultipartUpload' in value;
const isQueue = (value: object): value is Queue => 'sendBatch' in value;

const instrumentedEnvs = new WeakMap<object, object>();

/**
 * The worker's `env` with every binding instrumented ONCE, here at the boundary: KV and R2
 * operations are CLIENT spans, queue sends are messaging spans that carry each message's creation
 * context in its body (queue-producer.ts). KV and R2 spans are named after the template of their key
 * (`keyTemplate`, from the application), else their binding. Code that takes bindings from it
 * holds no tracing code of its own.
 * Built once per env object (the runtime passes the same one to every invocation of an isolate).
 */
export function instrumentBindings<E extends OtelEnv>(env: E, queues: QueueBindings<E>, options: { createSpans?: boolean; keyTemplate?: KeyTemplate } = {}): E {
  const cached = instrumentedEnvs.get(env);
  if (cached) return cached as E;
  const wrapped: Record<string, unknown> = { ...(env as object) };
  const { messageBodySize } = readOtelSettings(env);
  for (const [name, value] of Object.entries(env as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue;
    if (isKV(value)) wrapped[name] = instrumentKV(value, name, options.keyTemplate);
    else if (isR2(value)) wrapped[name] = instrumentR2(value, name, options.keyTemplate);
    else if (isQueue(value))
      wrapped[name] = instrumentQueueProducer(value, queues[name as keyof E & string] ?? name, { createSpans: options.createSpans, bodySize: messageBodySize });
  }
  instrumentedEnvs.set(env, wrapped);
  return wrapped as E;
}
