import type { Env } from '../env';
import { instrumentWorker, type InstrumentOptions } from '../otel';
import { recordRunFailure } from '../pipeline/run-failures';
import { consumeBatch, type ConsumedQueue } from '../queue/consumer';
import { QUEUES, queueBindings, type QueueBody, type QueueName } from '../queue/queues';
import type { ServiceName } from '../tracing/service-names';
import { WORKER_TRACING } from '../tracing/worker-tracing';

/** A pipeline worker: consumes one queue, one message at a time, traced; failures go to the run record. */
export function queueWorker<Q extends QueueName>(
  service: ServiceName,
  queue: Q,
  handle: (env: Env, body: QueueBody<Q>) => Promise<void>,
  tracing: Pick<InstrumentOptions<Env>, 'createSpans'> = {},
): ExportedHandler<Env> {
  return instrumentWorker(
    service,
    {
      queue: async (batch, env) => {
        await consumeBatch(batch, env, QUEUES[queue] as unknown as ConsumedQueue<QueueBody<Q>>, (body) => handle(env, body), {
          onFailure: recordRunFailure(env),
        });
      },
    },
    { ...WORKER_TRACING, ...tracing, queues: queueBindings(queue) },
  );
}
