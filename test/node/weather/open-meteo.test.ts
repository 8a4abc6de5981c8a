import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Forecast } from '../../../src/domain/forecast';
import { UnknownZipError, WeatherApiError, WeatherResponseError } from '../../../src/weather/errors';
import { FORECAST_HOURS } from '../../../src/weather/normalize';
import { normalizeOpenMeteo, OpenMeteoProvider, pickGeocodingResult, type OpenMeteoForecastResponse } from '../../../src/weather/open-meteo';
import { startWeatherStub, STUB_PLACES, type WeatherStub } from '../../support/weather-stub';
import { NOW, NOW_HOUR, rejectionOf } from './helpers';

let stub: WeatherStub;
let provider: OpenMeteoProvider;

beforeAll(async () => {
  stub = await startWeatherStub({ now: () => NOW });
  provider = new OpenMeteoProvider({ geocodingUrl: stub.url, forecastUrl: stub.url, timeoutMs: 2000 });
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.setFault(null);
  stub.clearRequests();
});

const austin = { zip: '78729', lat: STUB_PLACES['78729'].lat, lon: STUB_PLACES['78729'].lon, name: 'Austin' };
const fairbanks = { zip: '99701', lat: STUB_PLACES['99701'].lat, lon: STUB_PLACES['99701'].lon, name: 'Fairbanks' };

/** The stub's raw answer to exactly the URL the provider requests, plus where NOW's hour sits in it. */
async function rawForecast(geo: { lat: number; lon: number }, extra = '') {
  const body = await (await fetch(provider.forecastUrlFor(geo) + extra)).json<OpenMeteoForecastResponse>();
  const start = body.hourly.time.indexOf(Date.parse(NOW_HOUR) / 1000);
  expect(start).toBeGreaterThanOrEqual(0);
  return { body, start };
}

describe('OpenMeteoProvider.geocode', () => {
  it('finds a known ZIP with the documented search parameters', async () => {
    const geo = await provider.geocode('78729');
    expect(geo).toEqual({ zip: '78729', lat: 30.45215, lon: -97.76889, name: 'Austin', admin1: 'Texas', timezone: 'America/Chicago' });
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]).toMatchObject({
      method: 'GET',
      path: '/v1/search',
      query: { name: '78729', count: '10', language: 'en', format: 'json', countryCode: 'US' },
    });
  });

  it('finds the synthetic places the stub makes for 7xxxx ZIPs', async () => {
    const geo = await provider.geocode('78123');
    expect(geo.name).toBe('Stubville 78123');
    expect(Math.abs(geo.lat - 30.27)).toBeLessThan(0.6);
    expect(Math.abs(geo.lon + 97.74)).toBeLessThan(0.6);
  });

  it.each(['00000', '01234', '12345'])('throws a permanent UnknownZipError for %s (no results)', async (zip) => {
    const err = await rejectionOf(provider.geocode(zip));
    expect(err).toBeInstanceOf(UnknownZipError);
    expect(err).toMatchObject({ zip, transient: false });
  });

  it('rejects a malformed ZIP without asking the geocoder', async () => {
    await expect(provider.geocode('7872')).rejects.toBeInstanceOf(UnknownZipError);
    await expect(provider.geocode('78729&count=1')).rejects.toBeInstanceOf(UnknownZipError);
    expect(stub.requests).toHaveLength(0);
  });
});

describe('pickGeocodingResult', () => {
  const place = (name: string, country_code: string, postcodes?: string[]) => ({
    name,
    latitude: 1,
    longitude: 2,
    country_code,
    ...(postcodes ? { postcodes } : {}),
  });

  it('prefers the result listing the postcode, else the first US result, never a foreign one', () => {
    expect(pickGeocodingResult([place('A', 'US', ['1']), place('B', 'US', ['78729'])], '78729')?.name).toBe('B');
    expect(pickGeocodingResult([place('F', 'FR', ['78729']), place('A', 'US'), place('C', 'US')], '78729')?.name).toBe('A');
    expect(pickGeocodingResult([place('F', 'FR', ['78729'])], '78729')).toBeUndefined();
    expect(pickGeocodingResult([], '78729')).toBeUndefined();
  });
});

describe('OpenMeteoProvider.forecast', () => {
  it('requests the documented forecast parameters', async () => {
    await provider.forecast(austin, NOW);
    expect(stub.requests).toHaveLength(1);
    const { path, query } = stub.requests[0];
    expect(path).toBe('/v1/forecast');
    expect(query).toEqual({
      latitude: '30.45215',
      longitude: '-97.76889',
      hourly: 'temperature_2m,pressure_msl,cloud_cover,wind_speed_10m,wind_direction_10m,rain,showers,snowfall',
      current: 'temperature_2m,pressure_msl,cloud_cover,wind_speed_10m,wind_direction_10m',
      daily: 'sunrise,sunset',
      timezone: 'auto',
      forecast_days: '3',
      wind_speed_unit: 'ms',
      timeformat: 'unixtime',
    });
  });

  it('returns a valid Forecast with hourly points from the hour containing now', async () => {
    const forecast = await provider.forecast(austin, NOW);
    expect(() => Forecast.parse(forecast)).not.toThrow();
    expect(forecast.hourly.length).toBeGreaterThanOrEqual(25);
    expect(forecast.hourly).toHaveLength(FORECAST_HOURS);
    expect(forecast.hourly[0].time).toBe(NOW_HOUR);
    forecast.hourly.forEach((p, i) => expect(Date.parse(p.time)).toBe(Date.parse(NOW_HOUR) + i * 3_600_000));
    expect(forecast).toMatchObject({
      schemaVersion: 1,
      now: NOW.toISOString(),
      unit: 'F',
      location: { lat: austin.lat, lon: austin.lon, zip: '78729', name: 'Austin', timezone: 'America/Chicago', utcOffsetSeconds: -21600 },
      source: { provider: 'open-meteo' },
    });
  });

  it('prints in the unit the caller asks for', async () => {
    expect((await provider.forecast(austin, NOW, { unit: 'C' })).unit).toBe('C');
  });

  it('takes pressure_msl, m/s wind and the current block as they come', async () => {
    const forecast = await provider.forecast(austin, NOW);
    const { body, start } = await rawForecast(austin);
    forecast.hourly.forEach((p, k) => {
      expect(p.temperatureC).toBe(body.hourly.temperature_2m[start + k]);
      expect(p.pressureHpa).toBe(body.hourly.pressure_msl[start + k]);
      expect(p.cloudCoverPct).toBe(body.hourly.cloud_cover[start + k]);
      expect(p.windSpeedMs).toBe(body.hourly.wind_speed_10m[start + k]);
      expect(p.windDirectionDeg).toBe(body.hourly.wind_direction_10m[start + k]);
    });
    expect(forecast.current.temperatureC).toBe(body.current.temperature_2m);
    expect(forecast.current.windSpeedMs).toBe(body.current.wind_speed_10m);
    // The same answer in the API's default km/h is 3.6 times larger: the provider did get m/s.
    const { body: kmh } = await rawForecast(austin, '&wind_speed_unit=kmh');
    expect(kmh.hourly.wind_speed_10m[start]).toBeCloseTo(forecast.hourly[0].windSpeedMs * 3.6, 0);
  });

  it('sums rain and showers of the hour each point starts', async () => {
    const forecast = await provider.forecast(austin, NOW);
    const { body, start } = await rawForecast(austin);
    expect(forecast.hourly.some((p) => p.rainMmH > 0)).toBe(true); // the stub rains in this window
    forecast.hourly.forEach((p, k) => {
      // Open-Meteo's value at T+1h is the sum over the hour that starts at T.
      const at = start + k + 1;
      expect(p.rainMmH).toBeCloseTo((body.hourly.rain[at] ?? 0) + (body.hourly.showers[at] ?? 0), 6);
    });
    expect(forecast.current.rainMmH).toBe(forecast.hourly[0].rainMmH);
  });

  it('converts snowfall from cm of snow to mm of water (7 cm = 10 mm)', async () => {
    const forecast = await provider.forecast(fairbanks, NOW);
    const { body, start } = await rawForecast(fairbanks);
    expect(forecast.hourly.some((p) => p.snowMmH > 0)).toBe(true); // the stub snows in this window
    forecast.hourly.forEach((p, k) => {
      expect(p.snowMmH).toBeCloseTo(((body.hourly.snowfall[start + k + 1] ?? 0) * 10) / 7, 2);
    });
    expect(forecast.location.timezone).toBe('America/Anchorage');
  });

  it('fails with WeatherResponseError when the data does not cover now', async () => {
    const err = await rejectionOf(provider.forecast(austin, new Date('2020-01-01T00:00:00Z')));
    expect(err).toBeInstanceOf(WeatherResponseError);
    expect(err.message).toContain('does not contain now');
  });
});

describe('OpenMeteoProvider faults', () => {
  it('maps 500 to a transient WeatherApiError', async () => {
    stub.setFault({ kind: '500' });
    const err = await rejectionOf(provider.forecast(austin, NOW));
    expect(err).toBeInstanceOf(WeatherApiError);
    expect(err).toMatchObject({ status: 500, transient: true });
  });

  it('maps 429 to a transient WeatherApiError carrying Retry-After', async () => {
    stub.setFault({ kind: '429', retryAfterSeconds: 30 });
    const err = await rejectionOf(provider.geocode('78729'));
    expect(err).toBeInstanceOf(WeatherApiError);
    expect(err).toMatchObject({ status: 429, transient: true, retryAfterSeconds: 30 });
  });

  it('maps garbage to a transient WeatherResponseError', async () => {
    stub.setFault({ kind: 'garbage' });
    const err = await rejectionOf(provider.forecast(austin, NOW));
    expect(err).toBeInstanceOf(WeatherResponseError);
    expect((err as WeatherResponseError).transient).toBe(true);
  });

  it('maps a hang to a transient timeout after timeoutMs', async () => {
    const quick = new OpenMeteoProvider({ geocodingUrl: stub.url, forecastUrl: stub.url, timeoutMs: 200 });
    stub.setFault({ kind: 'hang' });
    // The stub never answers: only the provider's own timeout can end this request within the test.
    const err = await rejectionOf(quick.geocode('78729'));
    expect(err).toMatchObject({ kind: 'timeout', transient: true });
    expect(err.message).toContain('timed out after 200 ms');
  });

  it('recovers once a counted fault is used up, and scopes faults to a path kind', async () => {
    stub.setFault({ kind: '500', times: 1, path: 'forecast' });
    await expect(provider.geocode('78729')).resolves.toMatchObject({ name: 'Austin' });
    await expect(provider.forecast(austin, NOW)).rejects.toMatchObject({ status: 500 });
    await expect(provider.forecast(austin, NOW)).resolves.toMatchObject({ schemaVersion: 1 });
  });
});

describe('normalizeOpenMeteo', () => {
  const start = Date.parse(NOW_HOUR) / 1000;
  const n = FORECAST_HOURS + 1;
  const series = (v: number | null) => Array.from({ length: n }, () => v);
  const response = (): OpenMeteoForecastResponse => ({
    utc_offset_seconds: 0,
    timezone: 'GMT',
    current: { time: start, temperature_2m: null, pressure_msl: 1000, cloud_cover: 10, wind_speed_10m: 1, wind_direction_10m: 90 },
    hourly: {
      time: Array.from({ length: n }, (_, i) => start + i * 3600),
      temperature_2m: series(5),
      pressure_msl: series(1000),
      cloud_cover: series(10),
      rain: series(null),
      showers: series(0.5),
      snowfall: series(0.7),
      wind_speed_10m: series(1),
      wind_direction_10m: series(90),
    },
  });
  const options = { unit: 'C' as const, provider: 'open-meteo' };

  it('fills missing values from neighbours and treats missing sums as zero', () => {
    const body = response();
    body.hourly.temperature_2m = body.hourly.temperature_2m.map((_, i) => (i === 0 ? null : i === 3 ? null : i));
    const forecast = normalizeOpenMeteo(body, austin, NOW, options);
    expect(forecast.hourly.slice(0, 5).map((p) => p.temperatureC)).toEqual([1, 1, 2, 2, 4]);
    expect(forecast.current.temperatureC).toBe(1); // null in `current`: the hour's value
    expect(forecast.hourly[0].rainMmH).toBe(0.5);
    expect(forecast.hourly[0].snowMmH).toBe(1);
  });

  it('rejects too few hours, mismatched arrays and out-of-range values', () => {
    const short = response();
    short.hourly.time = short.hourly.time.slice(0, FORECAST_HOURS);
    for (const key of ['temperature_2m', 'pressure_msl', 'cloud_cover', 'rain', 'showers', 'snowfall', 'wind_speed_10m', 'wind_direction_10m'] as const) {
      short.hourly[key] = short.hourly[key].slice(0, FORECAST_HOURS);
    }
    expect(() => normalizeOpenMeteo(short, austin, NOW, options)).toThrow(WeatherResponseError);

    const mismatched = response();
    mismatched.hourly.rain = [];
    expect(() => normalizeOpenMeteo(mismatched, austin, NOW, options)).toThrow(/differ in length/);

    const cloudy = response();
    cloudy.hourly.cloud_cover = series(140);
    expect(() => normalizeOpenMeteo(cloudy, austin, NOW, options)).toThrow(/cloudCoverPct/);

    const empty = response();
    empty.hourly.pressure_msl = series(null);
    expect(() => normalizeOpenMeteo(empty, austin, NOW, options)).toThrow(/no values/);
  });
});
