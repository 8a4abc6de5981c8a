import { instrumentWorker, SERVICE_NAMES } from '../otel/instrument';
import { generateImage } from '../pipeline/generate-image';
import { consumeBatch } from '../queue/consumer';

export default instrumentWorker(SERVICE_NAMES.generator, {
  queue: async (batch, env) => {
    await consumeBatch(batch, env, 'landscape-jobs', (job) => generateImage(env, job));
  },
});
