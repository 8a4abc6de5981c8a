import type { Forecast, TemperatureUnit } from '../domain/forecast';

export { UnknownZipError, WeatherApiError, WeatherError, WeatherResponseError } from './errors';
export type { WeatherApiFailure } from './errors';

/** Where a ZIP is, as the provider's geocoder sees it. */
export interface GeoLocation {
  zip: string;
  lat: number;
  lon: number;
  /** Place name, e.g. `Austin`. */
  name?: string;
  /** State, e.g. `Texas`. */
  admin1?: string;
  /** IANA zone when the geocoder knows it (Open-Meteo does, OpenWeatherMap does not). */
  timezone?: string;
}

export interface RequestOptions {
  /** Cancels the request (in addition to the provider's own timeout). */
  signal?: AbortSignal;
}

export interface ForecastOptions extends RequestOptions {
  /** How temperatures are printed; defaults to `F` because every ZIP we serve is in the US. */
  unit?: TemperatureUnit;
}

/**
 * A weather source. Errors: UnknownZipError (permanent), WeatherApiError
 * (`transient` says whether to retry), WeatherResponseError (transient).
 */
export interface WeatherProvider {
  readonly name: string;
  geocode(zip: string, options?: RequestOptions): Promise<GeoLocation>;
  /** The normalized forecast, valid under the `Forecast` schema, with hourly points from the hour containing `now`. */
  forecast(geo: GeoLocation, now: Date, options?: ForecastOptions): Promise<Forecast>;
}
