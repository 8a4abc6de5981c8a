import { z } from 'zod';
import type { Conditions, Forecast, HourlyPoint } from '../domain/forecast';
import { ZipCode } from '../domain/zip';
import { UnknownZipError, WeatherResponseError } from './errors';
import { buildUrl, DEFAULT_TIMEOUT_MS, getJson, requestOptions } from './http';
import { assembleForecast, FORECAST_HOURS, hourIndexContaining, isoFromUnix, round2 } from './normalize';
import type { ForecastOptions, GeoLocation, RequestOptions, WeatherProvider } from './provider';
import { redactString } from '../otel';

export const OPEN_METEO_GEOCODING_URL = 'https://geocoding-api.open-meteo.com';
export const OPEN_METEO_FORECAST_URL = 'https://api.open-meteo.com';

/**
 * Instantaneous variables, requested both hourly and as `current`.
 * `pressure_msl` (reduced to sea level) rather than `surface_pressure`: the
 * picture shows air pressure as weather (highs and lows), the way a barometer
 * or weather map reads it. Surface pressure mostly encodes altitude (Denver
 * sits near 840 hPa in any weather) and OpenWeatherMap's `pressure` is also
 * sea-level, so both providers agree.
 */
const INSTANT_VARIABLES = ['temperature_2m', 'pressure_msl', 'cloud_cover', 'wind_speed_10m', 'wind_direction_10m'] as const;
/** Sums over the preceding hour; hourly only (the `current` block sums over 15 minutes, not a rate). */
const SUM_VARIABLES = ['rain', 'showers', 'snowfall'] as const;

/** Open-Meteo snowfall is cm of snow; its docs give 7 cm snow = 10 mm water equivalent. */
const SNOW_CM_TO_WATER_MM = 10 / 7;

/**
 * Three local days from midnight today: the hour containing `now` plus
 * FORECAST_HOURS, plus one more hour for the shifted precipitation sums,
 * always fits (two days would not at 23:30 local time).
 */
const FORECAST_DAYS = 3;

const numbers = z.array(z.number().nullable());

const GeocodingResult = z.object({
  name: z.string(),
  latitude: z.number(),
  longitude: z.number(),
  country_code: z.string().optional(),
  admin1: z.string().optional(),
  timezone: z.string().optional(),
  postcodes: z.array(z.string()).optional(),
});
export type OpenMeteoGeocodingResult = z.infer<typeof GeocodingResult>;

/** No match is `{"generationtime_ms":…}` without a `results` key. */
const GeocodingResponse = z.object({ results: z.array(GeocodingResult).optional() });

const ForecastResponse = z.object({
  utc_offset_seconds: z.number().int(),
  timezone: z.string().min(1),
  current: z.object({
    time: z.number(),
    temperature_2m: z.number().nullable(),
    pressure_msl: z.number().nullable(),
    cloud_cover: z.number().nullable(),
    wind_speed_10m: z.number().nullable(),
    wind_direction_10m: z.number().nullable(),
  }),
  hourly: z.object({
    time: z.array(z.number()),
    temperature_2m: numbers,
    pressure_msl: numbers,
    cloud_cover: numbers,
    rain: numbers,
    showers: numbers,
    snowfall: numbers,
    wind_speed_10m: numbers,
    wind_direction_10m: numbers,
  }),
});
export type OpenMeteoForecastResponse = z.infer<typeof ForecastResponse>;

export interface OpenMeteoOptions {
  geocodingUrl?: string;
  forecastUrl?: string;
  timeoutMs?: number;
}

/** Open-Meteo: free, no key. Default provider. */
export class OpenMeteoProvider implements WeatherProvider {
  readonly name = 'open-meteo';
  private readonly geocodingUrl: string;
  private readonly forecastUrl: string;
  private readonly timeoutMs: number;

  constructor(options: OpenMeteoOptions = {}) {
    this.geocodingUrl = options.geocodingUrl ?? OPEN_METEO_GEOCODING_URL;
    this.forecastUrl = options.forecastUrl ?? OPEN_METEO_FORECAST_URL;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  geocodeUrl(zip: string): string {
    return buildUrl(this.geocodingUrl, '/v1/search', {
      name: zip,
      count: 10,
      language: 'en',
      format: 'json',
      countryCode: 'US',
    });
  }

  forecastUrlFor(geo: Pick<GeoLocation, 'lat' | 'lon'>): string {
    return buildUrl(this.forecastUrl, '/v1/forecast', {
      latitude: geo.lat,
      longitude: geo.lon,
      hourly: [...INSTANT_VARIABLES, ...SUM_VARIABLES].join(','),
      current: INSTANT_VARIABLES.join(','),
      daily: 'sunrise,sunset',
      timezone: 'auto',
      forecast_days: FORECAST_DAYS,
      wind_speed_unit: 'ms',
      timeformat: 'unixtime',
    });
  }

  async geocode(zip: string, options: RequestOptions = {}): Promise<GeoLocation> {
    if (!ZipCode.safeParse(zip).success) throw new UnknownZipError(zip, 'not a 5-digit ZIP');
    const body = await getJson(this.geocodeUrl(zip), GeocodingResponse, requestOptions('open-meteo geocoding', this.timeoutMs, options));
    const hit = pickGeocodingResult(body.results ?? [], zip);
    if (!hit) throw new UnknownZipError(zip);
    return {
      zip,
      lat: hit.latitude,
      lon: hit.longitude,
      name: hit.name,
      ...(hit.admin1 ? { admin1: hit.admin1 } : {}),
      ...(hit.timezone ? { timezone: hit.timezone } : {}),
    };
  }

  async forecast(geo: GeoLocation, now: Date, options: ForecastOptions = {}): Promise<Forecast> {
    const url = this.forecastUrlFor(geo);
    const body = await getJson(url, ForecastResponse, requestOptions('open-meteo forecast', this.timeoutMs, options));
    return normalizeOpenMeteo(body, geo, now, { unit: options.unit ?? 'F', provider: this.name, url: redactString(url) });
  }
}

/** The result listing this postcode, else the first US result. */
export function pickGeocodingResult(results: readonly OpenMeteoGeocodingResult[], zip: string): OpenMeteoGeocodingResult | undefined {
  const us = results.filter((r) => r.country_code === undefined || r.country_code.toUpperCase() === 'US');
  return us.find((r) => r.postcodes?.includes(zip)) ?? us[0];
}

export interface NormalizeOptions {
  unit: Forecast['unit'];
  provider: string;
  /** Redacted request URL, for error messages. */
  url?: string;
}

/**
 * Open-Meteo response → Forecast. Hourly points start at the hour containing
 * `now`. Rain is `rain + showers` (mm); snow is converted from cm of snow to
 * mm water equivalent (OpenWeatherMap's unit). Open-Meteo's sums cover the
 * *preceding* hour, so the point for the hour starting at T takes them from
 * the T+1h entry.
 */
export function normalizeOpenMeteo(body: OpenMeteoForecastResponse, geo: GeoLocation, now: Date, options: NormalizeOptions): Forecast {
  const fail = (why: string) => new WeatherResponseError(`${options.provider}: ${why}`, options.url);
  const { hourly } = body;
  const series = [
    hourly.temperature_2m,
    hourly.pressure_msl,
    hourly.cloud_cover,
    hourly.rain,
    hourly.showers,
    hourly.snowfall,
    hourly.wind_speed_10m,
    hourly.wind_direction_10m,
  ];
  if (series.some((s) => s.length !== hourly.time.length)) throw fail('hourly arrays differ in length');

  const start = hourIndexContaining(hourly.time, Math.floor(now.getTime() / 1000));
  if (start < 0) throw fail(`hourly data does not contain now (${now.toISOString()})`);
  const end = start + FORECAST_HOURS; // exclusive; `end` itself feeds the last point's precipitation
  if (end >= hourly.time.length) throw fail(`hourly data covers fewer than ${FORECAST_HOURS} hours from now`);

  const window = (values: readonly (number | null)[]) => fillGaps(values.slice(start, end + 1));
  const temperature = window(hourly.temperature_2m);
  const pressure = window(hourly.pressure_msl);
  const cloud = window(hourly.cloud_cover);
  const windSpeed = window(hourly.wind_speed_10m);
  const windDirection = window(hourly.wind_direction_10m);
  if (!temperature || !pressure || !cloud || !windSpeed || !windDirection) throw fail('hourly data has no values for some variable');

  const points: HourlyPoint[] = [];
  for (let k = 0; k < FORECAST_HOURS; k++) {
    const sumAt = start + k + 1;
    points.push({
      time: isoFromUnix(hourly.time[start + k]),
      temperatureC: temperature[k],
      pressureHpa: pressure[k],
      cloudCoverPct: cloud[k],
      rainMmH: round2((hourly.rain[sumAt] ?? 0) + (hourly.showers[sumAt] ?? 0)),
      snowMmH: round2((hourly.snowfall[sumAt] ?? 0) * SNOW_CM_TO_WATER_MM),
      windSpeedMs: windSpeed[k],
      windDirectionDeg: windDirection[k],
    });
  }

  // Instantaneous values from `current` (15-minute model data); precipitation from the hour we are in.
  const hour = points[0];
  const c = body.current;
  const current: Conditions = {
    temperatureC: c.temperature_2m ?? hour.temperatureC,
    pressureHpa: c.pressure_msl ?? hour.pressureHpa,
    cloudCoverPct: c.cloud_cover ?? hour.cloudCoverPct,
    rainMmH: hour.rainMmH,
    snowMmH: hour.snowMmH,
    windSpeedMs: c.wind_speed_10m ?? hour.windSpeedMs,
    windDirectionDeg: c.wind_direction_10m ?? hour.windDirectionDeg,
  };

  return assembleForecast({
    provider: options.provider,
    geo,
    now,
    unit: options.unit,
    timezone: body.timezone,
    utcOffsetSeconds: body.utc_offset_seconds,
    current,
    hourly: points,
    ...(options.url ? { url: options.url } : {}),
  });
}

/** Fills nulls (hours a model does not cover) from the nearest earlier value, else the nearest later one. */
function fillGaps(values: readonly (number | null)[]): number[] | undefined {
  const firstKnown = values.find((v): v is number => v !== null);
  if (firstKnown === undefined) return undefined;
  let last = firstKnown;
  return values.map((v) => (v === null ? last : (last = v)));
}
