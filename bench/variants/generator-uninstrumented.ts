/** src/workers/generator.ts without the tracing instrumentation (uninstrumented.ts): only for the tracing-js figure. */
import { SERVICE_NAMES } from '../../src/tracing/service-names';
import { generateImage } from '../../src/pipeline/generate-image';
import { uninstrumentedQueueWorker } from './uninstrumented';

export default uninstrumentedQueueWorker(SERVICE_NAMES.generator, 'landscape-jobs', generateImage);
