import { SERVICE_NAMES } from '../tracing/service-names';
import { fetchWeather } from '../pipeline/fetch-weather';
import { queueWorker } from './queue-worker';

export default queueWorker(SERVICE_NAMES.fetcher, 'fetch-jobs', fetchWeather);
