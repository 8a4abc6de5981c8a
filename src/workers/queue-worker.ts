import type { Env } from '../env';
import { instrumentWorker, type InstrumentOptions, type ServiceName } from '../otel/instrument';
import { recordRunFailure } from '../pipeline/run-failures';
import { consumeBatch, type ConsumedQueue } from '../queue/consumer';
import { QUEUES, queueBindings, type QueueBody, type QueueName } from '../queue/queues';
import { LOG_FIELDS } from './log-fields';

/** A pipeline worker: consumes one queue, one message at a time, traced; failures go to the run record. */
export function queueWorker<Q extends QueueName>(
  service: ServiceName,
  queue: Q,
  handle: (env: Env, body: QueueBody<Q>) => Promise<void>,
  tracing: Pick<InstrumentOptions, 'createSpans'> = {},
): ExportedHandler<Env> {
  return instrumentWorker(
    service,
    {
      queue: async (batch, env) => {
        await consumeBatch(batch, env, QUEUES[queue] as unknown as ConsumedQueue<QueueBody<Q>>, (body) => handle(env, body), { onFailure: recordRunFailure(env) });
      },
    },
    { ...tracing, queues: queueBindings(queue), logFields: LOG_FIELDS },
  );
}
