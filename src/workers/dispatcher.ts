import { SERVICE_NAMES } from '../tracing/service-names';
import { dispatchJobs } from '../pipeline/dispatch-jobs';
import { queueWorker } from './queue-worker';

// One sendBatch per run, every format's message under the same `process weather-ready` span: the
// batch's one PRODUCER `send landscape-jobs` span is their creation context (no `create` span each).
export default queueWorker(SERVICE_NAMES.dispatcher, 'weather-ready', dispatchJobs, { createSpans: false });
