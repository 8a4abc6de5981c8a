import { Forecast, type Conditions, type HourlyPoint, type TemperatureUnit } from '../domain/forecast';
import { WeatherResponseError } from './errors';
import type { GeoLocation } from './provider';

/**
 * Hourly points per forecast: the hour containing `now` plus 25 more, so the
 * renderer can interpolate all the way to `now + 24 h` even when `now` is late
 * in its hour (25 points would end at the top of the hour before that).
 */
export const FORECAST_HOURS = 26;

const HOUR_SECONDS = 3600;

/** Index of the hourly slot (ascending unix-second starts) containing `nowSeconds`, or -1. */
export function hourIndexContaining(times: readonly number[], nowSeconds: number): number {
  for (let i = times.length - 1; i >= 0; i--) {
    if (times[i] <= nowSeconds) return nowSeconds < times[i] + HOUR_SECONDS ? i : -1;
  }
  return -1;
}

/** Unix seconds → ISO 8601 instant in UTC. */
export function isoFromUnix(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** Rounds derived amounts (sums, unit conversions) so float noise does not end up in KV. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export interface ForecastParts {
  provider: string;
  geo: GeoLocation;
  now: Date;
  unit: TemperatureUnit;
  timezone: string;
  utcOffsetSeconds: number;
  current: Conditions;
  hourly: HourlyPoint[];
  /** Redacted URL the data came from, for error messages. */
  url?: string;
}

/** Assembles the Forecast and validates it; a value out of range becomes a WeatherResponseError. */
export function assembleForecast(parts: ForecastParts): Forecast {
  const candidate = {
    schemaVersion: 1,
    location: {
      lat: parts.geo.lat,
      lon: parts.geo.lon,
      timezone: parts.timezone,
      utcOffsetSeconds: parts.utcOffsetSeconds,
      ...(parts.geo.name ? { name: parts.geo.name } : {}),
      zip: parts.geo.zip,
    },
    now: parts.now.toISOString(),
    current: parts.current,
    hourly: parts.hourly,
    unit: parts.unit,
    source: { provider: parts.provider, fetchedAt: new Date().toISOString() },
  };
  const parsed = Forecast.safeParse(candidate);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.join('.')}: ${first.message}` : 'invalid';
    throw new WeatherResponseError(`${parts.provider}: normalized forecast is invalid (${where})`, parts.url);
  }
  return parsed.data;
}
