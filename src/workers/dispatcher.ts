import { instrumentWorker, SERVICE_NAMES } from '../otel/instrument';
import { dispatchJobs } from '../pipeline/dispatch-jobs';
import { consumeBatch } from '../queue/consumer';
import { QUEUES } from '../queue/queues';

export default instrumentWorker(SERVICE_NAMES.dispatcher, {
  queue: async (batch, env) => {
    await consumeBatch(batch, env, QUEUES['weather-ready'], (event) => dispatchJobs(env, event));
  },
});
