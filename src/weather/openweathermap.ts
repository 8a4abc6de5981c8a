import { z } from 'zod';
import type { Conditions, Forecast, HourlyPoint } from '../domain/forecast';
import { ZipCode } from '../domain/zip';
import { UnknownZipError, WeatherApiError, WeatherResponseError } from './errors';
import { buildUrl, DEFAULT_TIMEOUT_MS, getJson, requestOptions } from './http';
import { assembleForecast, FORECAST_HOURS, hourIndexContaining, isoFromUnix } from './normalize';
import type { ForecastOptions, GeoLocation, RequestOptions, WeatherProvider } from './provider';
import { redactString } from '../otel';

export const OWM_API_URL = 'https://api.openweathermap.org';

const ZipResponse = z.object({
  zip: z.string().optional(),
  name: z.string().optional(),
  lat: z.number(),
  lon: z.number(),
  country: z.string(),
});

/** `rain`/`snow` are present only when there is some: `{ "1h": mm/h }` (water equivalent for snow). */
const Precipitation = z.object({ '1h': z.number().optional() }).optional();

const OneCallConditions = z.object({
  dt: z.number().int(),
  temp: z.number(),
  /** Sea-level pressure, hPa (same meaning as Open-Meteo's `pressure_msl`). */
  pressure: z.number(),
  clouds: z.number(),
  wind_speed: z.number(),
  wind_deg: z.number(),
  rain: Precipitation,
  snow: Precipitation,
});
type OneCallConditions = z.infer<typeof OneCallConditions>;

const OneCallResponse = z.object({
  timezone: z.string().min(1),
  timezone_offset: z.number().int(),
  current: OneCallConditions,
  hourly: z.array(OneCallConditions),
});
export type OneCallResponse = z.infer<typeof OneCallResponse>;

export interface OpenWeatherMapOptions {
  apiKey: string;
  apiUrl?: string;
  timeoutMs?: number;
}

/** OpenWeatherMap Geocoding + One Call 3.0; used when an API key is configured. */
export class OpenWeatherMapProvider implements WeatherProvider {
  readonly name = 'openweathermap';
  private readonly apiKey: string;
  private readonly apiUrl: string;
  private readonly timeoutMs: number;

  constructor(options: OpenWeatherMapOptions) {
    this.apiKey = options.apiKey;
    this.apiUrl = options.apiUrl ?? OWM_API_URL;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  geocodeUrl(zip: string): string {
    return buildUrl(this.apiUrl, '/geo/1.0/zip', { zip: `${zip},US`, appid: this.apiKey });
  }

  forecastUrlFor(geo: Pick<GeoLocation, 'lat' | 'lon'>): string {
    return buildUrl(this.apiUrl, '/data/3.0/onecall', {
      lat: geo.lat,
      lon: geo.lon,
      exclude: 'minutely,alerts',
      units: 'metric',
      appid: this.apiKey,
    });
  }

  async geocode(zip: string, options: RequestOptions = {}): Promise<GeoLocation> {
    if (!ZipCode.safeParse(zip).success) throw new UnknownZipError(zip, 'not a 5-digit ZIP');
    let body: z.infer<typeof ZipResponse>;
    try {
      body = await getJson(this.geocodeUrl(zip), ZipResponse, requestOptions('openweathermap geocoding', this.timeoutMs, options));
    } catch (err) {
      // The zip endpoint answers an unknown ZIP with 404 {"cod":"404","message":"not found"}.
      if (err instanceof WeatherApiError && err.status === 404) throw new UnknownZipError(zip, 'geocoder answered 404');
      throw err;
    }
    if (body.country.toUpperCase() !== 'US') throw new UnknownZipError(zip, `geocoder placed it in ${body.country}`);
    return { zip, lat: body.lat, lon: body.lon, ...(body.name ? { name: body.name } : {}) };
  }

  async forecast(geo: GeoLocation, now: Date, options: ForecastOptions = {}): Promise<Forecast> {
    const url = this.forecastUrlFor(geo);
    const body = await getJson(url, OneCallResponse, requestOptions('openweathermap forecast', this.timeoutMs, options));
    return normalizeOneCall(body, geo, now, { unit: options.unit ?? 'F', provider: this.name, url: redactString(url) });
  }
}

export interface NormalizeOneCallOptions {
  unit: Forecast['unit'];
  provider: string;
  /** Redacted request URL, for error messages. */
  url?: string;
}

/** One Call 3.0 (units=metric) → Forecast; `hourly[0]` is the current hour, 48 hours in all. */
export function normalizeOneCall(body: OneCallResponse, geo: GeoLocation, now: Date, options: NormalizeOneCallOptions): Forecast {
  const fail = (why: string) => new WeatherResponseError(`${options.provider}: ${why}`, options.url);
  const times = body.hourly.map((h) => h.dt);
  const start = hourIndexContaining(times, Math.floor(now.getTime() / 1000));
  if (start < 0) throw fail(`hourly data does not contain now (${now.toISOString()})`);
  const window = body.hourly.slice(start, start + FORECAST_HOURS);
  if (window.length < FORECAST_HOURS) throw fail(`hourly data covers fewer than ${FORECAST_HOURS} hours from now`);

  const hourly: HourlyPoint[] = window.map((h) => ({ time: isoFromUnix(h.dt), ...conditions(h) }));
  return assembleForecast({
    provider: options.provider,
    geo,
    now,
    unit: options.unit,
    timezone: body.timezone,
    utcOffsetSeconds: body.timezone_offset,
    current: conditions(body.current),
    hourly,
    ...(options.url ? { url: options.url } : {}),
  });
}

function conditions(c: OneCallConditions): Conditions {
  return {
    temperatureC: c.temp,
    pressureHpa: c.pressure,
    cloudCoverPct: c.clouds,
    rainMmH: c.rain?.['1h'] ?? 0,
    snowMmH: c.snow?.['1h'] ?? 0,
    windSpeedMs: c.wind_speed,
    windDirectionDeg: c.wind_deg,
  };
}
