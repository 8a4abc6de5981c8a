/** src/workers/dispatcher.ts without the tracing instrumentation (uninstrumented.ts): only for the tracing-js figure. */
import { SERVICE_NAMES } from '../../src/tracing/service-names';
import { dispatchJobs } from '../../src/pipeline/dispatch-jobs';
import { uninstrumentedQueueWorker } from './uninstrumented';

export default uninstrumentedQueueWorker(SERVICE_NAMES.dispatcher, 'weather-ready', dispatchJobs);
