import { SERVICE_NAMES } from '../otel/instrument';
import { dispatchJobs } from '../pipeline/dispatch-jobs';
import { queueWorker } from './queue-worker';

export default queueWorker(SERVICE_NAMES.dispatcher, 'weather-ready', dispatchJobs);
