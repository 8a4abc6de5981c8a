import { describe, expect, it } from 'vitest';
import { createWeatherProvider, OpenMeteoProvider, OpenWeatherMapProvider } from '../../../src/weather';
import { NOW, rejectionOf, useWeatherStub } from './helpers';

const stub = useWeatherStub();

describe('createWeatherProvider', () => {
  it('picks Open-Meteo without a key and OpenWeatherMap with one', () => {
    expect(createWeatherProvider({})).toBeInstanceOf(OpenMeteoProvider);
    expect(createWeatherProvider({ OWM_API_KEY: '   ' }).name).toBe('open-meteo');
    const owm = createWeatherProvider({ OWM_API_KEY: 'abc' });
    expect(owm).toBeInstanceOf(OpenWeatherMapProvider);
    expect(owm.name).toBe('openweathermap');
  });

  it('defaults to the real services', () => {
    const om = createWeatherProvider({}) as OpenMeteoProvider;
    expect(om.geocodeUrl('78729')).toBe('https://geocoding-api.open-meteo.com/v1/search?name=78729&count=10&language=en&format=json&countryCode=US');
    expect(om.forecastUrlFor({ lat: 30.45215, lon: -97.76889 })).toBe(
      'https://api.open-meteo.com/v1/forecast?latitude=30.45215&longitude=-97.76889' +
        '&hourly=temperature_2m,pressure_msl,cloud_cover,wind_speed_10m,wind_direction_10m,rain,showers,snowfall' +
        '&current=temperature_2m,pressure_msl,cloud_cover,wind_speed_10m,wind_direction_10m' +
        '&daily=sunrise,sunset&timezone=auto&forecast_days=3&wind_speed_unit=ms&timeformat=unixtime',
    );
    const owm = createWeatherProvider({ OWM_API_KEY: 'KEY' }) as OpenWeatherMapProvider;
    expect(owm.geocodeUrl('78729')).toBe('https://api.openweathermap.org/geo/1.0/zip?zip=78729,US&appid=KEY');
    expect(owm.forecastUrlFor({ lat: 30.45215, lon: -97.76889 })).toBe(
      'https://api.openweathermap.org/data/3.0/onecall?lat=30.45215&lon=-97.76889&exclude=minutely,alerts&units=metric&appid=KEY',
    );
  });

  it('accepts base URLs with trailing slashes', async () => {
    const provider = createWeatherProvider({ OPEN_METEO_GEOCODING_URL: `${stub().url}/`, OPEN_METEO_FORECAST_URL: ` ${stub().url}// ` });
    const geo = await provider.geocode('78729');
    await provider.forecast(geo, NOW);
    expect(stub().requests.map((r) => r.path)).toEqual(['/v1/search', '/v1/forecast']);

    const owm = createWeatherProvider({ OWM_API_KEY: 'k', OWM_API_URL: `${stub().url}/` });
    await owm.geocode('78729');
    expect(stub().requests.at(-1)?.path).toBe('/geo/1.0/zip');
  });

  it('uses WEATHER_TIMEOUT_MS', async () => {
    stub().setFault({ kind: 'hang' });
    const provider = createWeatherProvider({ OPEN_METEO_GEOCODING_URL: stub().url, WEATHER_TIMEOUT_MS: '150' });
    const err = await rejectionOf(provider.geocode('78729'));
    expect(err).toMatchObject({ kind: 'timeout' });
    expect(err.message).toContain('150 ms');
  });

  it('ignores a malformed WEATHER_TIMEOUT_MS instead of disabling the timeout', async () => {
    stub().setFault({ kind: 'hang' });
    for (const bad of ['abc', '0', '-5', '1.5']) {
      const provider = createWeatherProvider({ OPEN_METEO_GEOCODING_URL: stub().url, WEATHER_TIMEOUT_MS: bad });
      // With the 10 s default still in force the caller's 100 ms abort is what ends the request.
      const err = await rejectionOf(provider.geocode('78729', { signal: AbortSignal.timeout(100) }));
      expect(err).toMatchObject({ kind: 'aborted' });
    }
  });
});
