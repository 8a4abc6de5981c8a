import { SERVICE_NAMES } from '../tracing/service-names';
import { generateImage } from '../pipeline/generate-image';
import { queueWorker } from './queue-worker';

export default queueWorker(SERVICE_NAMES.generator, 'landscape-jobs', generateImage);
