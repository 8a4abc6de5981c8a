import { instrumentWorker, SERVICE_NAMES } from '../otel/instrument';
import { generateImage } from '../pipeline/generate-image';
import { consumeBatch } from '../queue/consumer';
import { QUEUES } from '../queue/queues';

export default instrumentWorker(SERVICE_NAMES.generator, {
  queue: async (batch, env) => {
    await consumeBatch(batch, env, QUEUES['landscape-jobs'], (job) => generateImage(env, job));
  },
});
