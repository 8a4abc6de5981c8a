import type { ZipFailure } from '../storage/zip-status';

/**
 * A ZIP's last failure in a few words, for people: the image route's JSON and headers, and the
 * /forecasts badge. The details (the reason, with the weather API's own cause) follow it.
 */
export function failureSummary(failure: Pick<ZipFailure, 'error_type' | 'stage'>): string {
  switch (failure.error_type) {
    case 'UnknownZipError':
      return 'unknown ZIP code';
    case 'WeatherApiError':
      return 'weather service unreachable or refusing';
    case 'WeatherResponseError':
      return 'weather service answered nonsense';
    case 'weather_missing':
      return 'weather expired before the picture was drawn';
    case 'invalid_message':
      return `malformed ${failure.stage} message`;
    default:
      return `${failure.stage} failed`;
  }
}
