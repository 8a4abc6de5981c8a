import { FIXTURES } from '../../fixtures/forecasts';
import type { Forecast } from '../../../src/domain/forecast';

/** The weather time of the jobs the generator tests send, unless a test says otherwise. */
export const FETCHED_AT = '2026-06-21T12:00:00.000Z';

/** A fixture forecast (the `fixture`-th) for `zip`, fetched at `fetchedAt`. */
export function forecastFor(zip: string, fetchedAt = FETCHED_AT, fixture = 0): Forecast {
  const base = Object.values(FIXTURES)[fixture];
  return { ...base, location: { ...base.location, zip }, source: { ...base.source, fetchedAt } };
}

/** A landscape job as the dispatcher sends it, the forecast in the body (no run id, no trace carrier: tests add theirs). */
export function landscapeJob(zip: string, format: string, fetchedAt = FETCHED_AT, fixture = 0) {
  return {
    schema_version: 1,
    zip_code: zip,
    format_name: format,
    lat: 30.45,
    lon: -97.79,
    fetched_at: fetchedAt,
    enqueued_at: fetchedAt,
    forecast: forecastFor(zip, fetchedAt, fixture),
  };
}
