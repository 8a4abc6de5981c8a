import { instrumentWorker, SERVICE_NAMES } from '../otel/instrument';
import { fetchWeather } from '../pipeline/fetch-weather';
import { consumeBatch } from '../queue/consumer';
import { QUEUES } from '../queue/queues';

export default instrumentWorker(SERVICE_NAMES.fetcher, {
  queue: async (batch, env) => {
    await consumeBatch(batch, env, QUEUES['fetch-jobs'], (job) => fetchWeather(env, job));
  },
});
