import type { ZipFailure } from '../storage/zip-status';

/** What each stage of the pipeline does, for a failure no error type explains. */
const STAGE_FAILED: Record<string, string> = {
  'fetch-jobs': 'fetching the weather failed',
  'weather-ready': 'planning the pictures failed',
  'landscape-jobs': 'drawing the picture failed',
};

/**
 * A ZIP's last failure in a few fixed words, for anyone: the image route's JSON and headers, and the
 * /forecasts badge. Never the recorded reason, which may quote the weather API's request and answer:
 * that is shown to the admin only (the dashboard, /admin/status, the dead letters).
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
      return 'a malformed message inside the pipeline';
    default:
      return STAGE_FAILED[failure.stage] ?? 'the run failed';
  }
}
