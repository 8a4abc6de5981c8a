import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Forecast } from '../../../src/domain/forecast';
import { UnknownZipError, WeatherApiError, WeatherError, WeatherResponseError } from '../../../src/weather/errors';
import { FORECAST_HOURS } from '../../../src/weather/normalize';
import { OpenMeteoProvider } from '../../../src/weather/open-meteo';
import { OpenWeatherMapProvider } from '../../../src/weather/openweathermap';
import { startWeatherStub, STUB_PLACES, type StubFault, type WeatherStub } from '../../support/weather-stub';
import { closedPortUrl, NOW, NOW_HOUR, rejectionOf } from './helpers';

const KEY = 'owm-test-key-5f2c9a7e41b3d8';

let stub: WeatherStub;
let provider: OpenWeatherMapProvider;

beforeAll(async () => {
  stub = await startWeatherStub({ now: () => NOW, owmApiKey: KEY });
  provider = new OpenWeatherMapProvider({ apiKey: KEY, apiUrl: stub.url, timeoutMs: 300 });
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.setFault(null);
  stub.clearRequests();
});

const austin = { zip: '78729', lat: STUB_PLACES['78729'].lat, lon: STUB_PLACES['78729'].lon, name: 'Austin' };
const fairbanks = { zip: '99701', lat: STUB_PLACES['99701'].lat, lon: STUB_PLACES['99701'].lon };

/** Everything about an error that could reach a log line. */
function loggable(err: Error): string {
  return [err.message, String(err), err.stack ?? '', JSON.stringify(err), JSON.stringify(Object.entries(err))].join('\n');
}

describe('OpenWeatherMapProvider.geocode', () => {
  it('finds a known ZIP through the zip endpoint', async () => {
    await expect(provider.geocode('78729')).resolves.toEqual({ zip: '78729', lat: 30.45215, lon: -97.76889, name: 'Austin' });
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]).toMatchObject({ path: '/geo/1.0/zip', query: { zip: '78729,US', appid: KEY } });
  });

  it('turns the 404 for an unknown ZIP into a permanent UnknownZipError', async () => {
    const err = await rejectionOf(provider.geocode('00000'));
    expect(err).toBeInstanceOf(UnknownZipError);
    expect((err as UnknownZipError).transient).toBe(false);
    expect(loggable(err)).not.toContain(KEY);
  });
});

describe('OpenWeatherMapProvider.forecast', () => {
  it('requests One Call 3.0 in metric units', async () => {
    await provider.forecast(austin, NOW);
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]).toMatchObject({
      path: '/data/3.0/onecall',
      query: { lat: '30.45215', lon: '-97.76889', exclude: 'minutely,alerts', units: 'metric', appid: KEY },
    });
  });

  it('returns a valid Forecast from the hour containing now', async () => {
    const forecast = await provider.forecast(austin, NOW, { unit: 'C' });
    expect(() => Forecast.parse(forecast)).not.toThrow();
    expect(forecast.hourly).toHaveLength(FORECAST_HOURS);
    expect(forecast.hourly[0].time).toBe(NOW_HOUR);
    expect(forecast).toMatchObject({
      unit: 'C',
      now: NOW.toISOString(),
      location: { timezone: 'America/Chicago', utcOffsetSeconds: -21600, zip: '78729', name: 'Austin' },
      source: { provider: 'openweathermap' },
    });
    expect(forecast.hourly.some((p) => p.rainMmH > 0)).toBe(true);
    expect((await provider.forecast(austin, NOW)).unit).toBe('F');
  });

  it('describes the same weather as the Open-Meteo provider on the same stub', async () => {
    const openMeteo = new OpenMeteoProvider({ geocodingUrl: stub.url, forecastUrl: stub.url });
    for (const geo of [austin, fairbanks]) {
      const [owm, om] = await Promise.all([provider.forecast(geo, NOW), openMeteo.forecast(geo, NOW)]);
      owm.hourly.forEach((p, k) => {
        const q = om.hourly[k];
        expect(p.time).toBe(q.time);
        expect(p.temperatureC).toBeCloseTo(q.temperatureC, 5);
        expect(Math.abs(p.pressureHpa - q.pressureHpa)).toBeLessThanOrEqual(0.5); // OWM reports whole hPa
        expect(p.rainMmH).toBeCloseTo(q.rainMmH, 5);
        expect(p.snowMmH).toBeCloseTo(q.snowMmH, 1);
        expect(p.windSpeedMs).toBeCloseTo(q.windSpeedMs, 5);
        expect(p.windDirectionDeg).toBe(q.windDirectionDeg);
      });
    }
    expect((await provider.forecast(fairbanks, NOW)).hourly.some((p) => p.snowMmH > 0)).toBe(true);
  });
});

describe('OpenWeatherMapProvider errors never leak the key', () => {
  const cases: Array<{ fault: StubFault; error: new (...args: never[]) => WeatherError; transient: boolean; status?: number }> = [
    { fault: { kind: '500' }, error: WeatherApiError, transient: true, status: 500 },
    { fault: { kind: '429', retryAfterSeconds: 12 }, error: WeatherApiError, transient: true, status: 429 },
    { fault: { kind: 'garbage' }, error: WeatherResponseError, transient: true },
    { fault: { kind: 'hang' }, error: WeatherApiError, transient: true, status: 0 },
  ];

  for (const { fault, error, transient, status } of cases) {
    for (const call of ['geocode', 'forecast'] as const) {
      it(`${fault.kind} on ${call} → ${error.name} (transient=${transient})`, async () => {
        stub.setFault(fault);
        const err = await rejectionOf(call === 'geocode' ? provider.geocode('78729') : provider.forecast(austin, NOW));
        expect(err).toBeInstanceOf(error);
        expect((err as WeatherError).transient).toBe(transient);
        if (status !== undefined) expect((err as WeatherApiError).status).toBe(status);
        if (fault.kind === '429') expect((err as WeatherApiError).retryAfterSeconds).toBe(12);
        expect(loggable(err)).not.toContain(KEY);
        expect(err.message).toContain('appid=REDACTED');
      });
    }
  }

  it('a rejected key → permanent 401 without the key', async () => {
    const wrong = new OpenWeatherMapProvider({ apiKey: 'wrong-key-0123456789', apiUrl: stub.url });
    const err = await rejectionOf(wrong.forecast(austin, NOW));
    expect(err).toMatchObject({ status: 401, transient: false });
    expect(loggable(err)).not.toContain('wrong-key-0123456789');
  });

  it('a network error → transient, without the key', async () => {
    const offline = new OpenWeatherMapProvider({ apiKey: KEY, apiUrl: await closedPortUrl() });
    const err = await rejectionOf(offline.geocode('78729'));
    expect(err).toMatchObject({ kind: 'network', transient: true });
    expect(loggable(err)).not.toContain(KEY);
  });
});
