import { DEFAULT_TIMEOUT_MS } from './http';
import { OpenMeteoProvider } from './open-meteo';
import { OpenWeatherMapProvider } from './openweathermap';
import type { WeatherProvider } from './provider';

export * from './provider';
export { isTransientStatus } from './errors';
export { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, getJson } from './http';
export type { GetJsonOptions } from './http';
export { FORECAST_HOURS } from './normalize';
export { OPEN_METEO_FORECAST_URL, OPEN_METEO_GEOCODING_URL, OpenMeteoProvider } from './open-meteo';
export { OWM_API_URL, OpenWeatherMapProvider } from './openweathermap';
export { parseRetryAfter } from './retry-after';

/** The Worker bindings (vars/secrets) that configure the weather layer. All optional. */
export interface WeatherEnv {
  OPEN_METEO_GEOCODING_URL?: string;
  OPEN_METEO_FORECAST_URL?: string;
  OWM_API_KEY?: string;
  OWM_API_URL?: string;
  /** Per-request timeout in ms (a string, as Worker vars are). Default 10000. */
  WEATHER_TIMEOUT_MS?: string;
}

/** OpenWeatherMap when `OWM_API_KEY` is set, else Open-Meteo. Base URLs may end in `/`. */
export function createWeatherProvider(env: WeatherEnv): WeatherProvider {
  const timeoutMs = parseTimeout(env.WEATHER_TIMEOUT_MS);
  const apiKey = env.OWM_API_KEY?.trim();
  if (apiKey) {
    return new OpenWeatherMapProvider({ apiKey, timeoutMs, ...baseUrl('apiUrl', env.OWM_API_URL) });
  }
  return new OpenMeteoProvider({
    timeoutMs,
    ...baseUrl('geocodingUrl', env.OPEN_METEO_GEOCODING_URL),
    ...baseUrl('forecastUrl', env.OPEN_METEO_FORECAST_URL),
  });
}

/** Unset or blank means "use the real service"; trailing slashes are dropped so paths join cleanly. */
function baseUrl<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  const trimmed = value?.trim().replace(/\/+$/, '');
  return trimmed ? ({ [key]: trimmed } as Record<K, string>) : {};
}

/** A positive whole number of ms, else the default (a typo in a var must not disable the timeout). */
function parseTimeout(value: string | undefined): number {
  const ms = Number(value?.trim());
  return value && Number.isInteger(ms) && ms > 0 ? ms : DEFAULT_TIMEOUT_MS;
}
