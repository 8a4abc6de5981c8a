/**
 * src/workers/queue-worker.ts's queueWorker WITHOUT the tracing instrumentation, for the
 * tracing-js figure's "OTEL_SDK_DISABLED=true costs nothing" row: the same consumer and pipeline
 * code, but the handler is not wrapped by instrumentWorker (no otel-cf-workers, no instrumented
 * bindings). The log bridge is installed as instrumentWorker installs it: JSON log lines are
 * logging, which stays on with tracing off. The consumer's calls into the OpenTelemetry API remain
 * (they are in the shared code), answered by the API's no-op implementation as in any build where
 * no SDK is registered.
 */
import type { Env } from '../../src/env';
import { installLogBridge } from '../../src/otel/log-bridge';
import { recordRunFailure } from '../../src/pipeline/run-failures';
import { consumeBatch, type ConsumedQueue } from '../../src/queue/consumer';
import { QUEUES, type QueueBody, type QueueName } from '../../src/queue/queues';
import { LOG_FIELDS } from '../../src/tracing/log-fields';

export function uninstrumentedQueueWorker<Q extends QueueName>(
  service: string,
  queue: Q,
  handle: (env: Env, body: QueueBody<Q>) => Promise<void>,
): ExportedHandler<Env> {
  installLogBridge(service, { contextFields: LOG_FIELDS });
  return {
    queue: async (batch, env) => {
      await consumeBatch(batch, env, QUEUES[queue] as unknown as ConsumedQueue<QueueBody<Q>>, (body) => handle(env, body), {
        onFailure: recordRunFailure(env),
      });
    },
  };
}
