import { instrumentWorker, SERVICE_NAMES } from '../otel/instrument';
import { fetchWeather } from '../pipeline/fetch-weather';
import { consumeBatch } from '../queue/consumer';

export default instrumentWorker(SERVICE_NAMES.fetcher, {
  queue: async (batch, env) => {
    await consumeBatch(batch, env, 'fetch-jobs', (job) => fetchWeather(env, job));
  },
});
