import { describe, expect, it, vi } from 'vitest';
import { startWeatherStub, stubPlaceForZip } from '../../support/weather-stub';
import { NOW, useWeatherStub } from './helpers';

const stub = useWeatherStub();

/** What these tests read of the stub's Open-Meteo forecast (times are strings unless timeformat=unixtime). */
interface OpenMeteoAnswer {
  timezone: string;
  utc_offset_seconds: number;
  hourly: { time: Array<string | number>; temperature_2m: number[] };
  hourly_units: Record<string, string>;
}
/** What these tests read of the stub's OpenWeatherMap One Call answer. */
interface OneCallAnswer {
  hourly: Array<{ dt: number }>;
  minutely?: unknown;
  daily?: unknown[];
}

const getJson = async <Body = Record<string, unknown>>(path: string) => {
  const res = await fetch(`${stub().url}${path}`);
  return { status: res.status, body: await res.json<Body>() };
};
const postFault = (fault: unknown) => fetch(`${stub().url}/__stub/fault`, { method: 'POST', body: JSON.stringify(fault) });

describe('weather stub: places', () => {
  it('answers unknown ZIPs the way Open-Meteo does: no results key', async () => {
    for (const zip of ['00000', '01234', '12345']) {
      expect(await getJson(`/v1/search?name=${zip}&countryCode=US`)).toEqual({ status: 200, body: { generationtime_ms: 0.1 } });
    }
  });

  it('maps every 7xxxx ZIP to a distinct, stable place near Austin', () => {
    const zips = Array.from({ length: 200 }, (_, i) => String(70000 + i * 47));
    const places = zips.map((z) => stubPlaceForZip(z));
    expect(places.every((p) => p && Math.abs(p.lat - 30.27) < 0.6 && Math.abs(p.lon + 97.74) < 0.6)).toBe(true);
    expect(new Set(places.map((p) => `${p?.lat},${p?.lon}`)).size).toBeGreaterThan(190);
    expect(stubPlaceForZip('71234')).toEqual(stubPlaceForZip('71234'));
  });
});

describe('weather stub: Open-Meteo forecast', () => {
  const base = '/v1/forecast?latitude=30.45&longitude=-97.77&hourly=temperature_2m,rain&timezone=auto&forecast_days=2';

  it('starts at local midnight in iso8601 local time by default, with the zone of the place', async () => {
    const { body } = await getJson<OpenMeteoAnswer>(base);
    expect(body.timezone).toBe('America/Chicago');
    expect(body.utc_offset_seconds).toBe(-21600);
    // NOW is 05:40Z = 23:40 on the 18th in Austin.
    expect(body.hourly.time[0]).toBe('2026-01-18T00:00');
    expect(body.hourly.time).toHaveLength(48);
    expect(body.hourly_units).toEqual({ time: 'iso8601', temperature_2m: '°C', rain: 'mm' });
  });

  it('honours timeformat=unixtime and the unit parameters', async () => {
    const { body } = await getJson<OpenMeteoAnswer>(`${base}&timeformat=unixtime&temperature_unit=fahrenheit`);
    expect(body.hourly.time[0]).toBe(Date.parse('2026-01-18T06:00:00Z') / 1000);
    const { body: celsius } = await getJson<OpenMeteoAnswer>(base);
    expect(body.hourly.temperature_2m[12]).toBeCloseTo((celsius.hourly.temperature_2m[12] * 9) / 5 + 32, 0);
  });

  it('is deterministic per place and differs between places', async () => {
    const a = await getJson<OpenMeteoAnswer>(base);
    const b = await getJson<OpenMeteoAnswer>(base);
    const other = await getJson<OpenMeteoAnswer>(base.replace('latitude=30.45', 'latitude=40.75').replace('longitude=-97.77', 'longitude=-73.99'));
    expect(a.body.hourly).toEqual(b.body.hourly);
    expect(other.body.hourly.temperature_2m).not.toEqual(a.body.hourly.temperature_2m);
    expect(other.body.timezone).toBe('America/New_York');
  });

  it('has a diurnal temperature curve', async () => {
    const { body } = await getJson<OpenMeteoAnswer>(base);
    const day = body.hourly.temperature_2m.slice(0, 24);
    expect(Math.max(...day) - Math.min(...day)).toBeGreaterThan(5);
    expect(day.indexOf(Math.max(...day))).toBeGreaterThan(10); // warmest in the afternoon
  });

  it('rejects unknown variables like the real API', async () => {
    const { status, body } = await getJson('/v1/forecast?latitude=1&longitude=2&hourly=temperature_2m,pressure');
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: true });
    expect(body.reason).toContain('pressure');
  });
});

describe('weather stub: OpenWeatherMap', () => {
  it('serves 48 hourly entries from the current hour and drops excluded blocks', async () => {
    const { body } = await getJson<OneCallAnswer>('/data/3.0/onecall?lat=30.45&lon=-97.77&exclude=minutely,alerts&units=metric&appid=x');
    expect(body.hourly).toHaveLength(48);
    expect(body.hourly[0].dt).toBe(Date.parse('2026-01-19T05:00:00Z') / 1000);
    expect(body.minutely).toBeUndefined();
    expect(body.daily).toHaveLength(8);
    expect(body).toMatchObject({ timezone: 'America/Chicago', timezone_offset: -21600 });
  });

  it('requires an appid and 404s unknown ZIPs', async () => {
    expect((await getJson('/geo/1.0/zip?zip=78729,US')).status).toBe(401);
    expect(await getJson('/geo/1.0/zip?zip=00000,US&appid=x')).toEqual({ status: 404, body: { cod: '404', message: 'not found' } });
  });
});

describe('weather stub: faults and admin endpoints', () => {
  it('applies a fault set over HTTP the given number of times to the given path kind', async () => {
    expect((await postFault({ kind: '500', times: 2, path: 'forecast' })).status).toBe(200);
    expect((await getJson('/v1/search?name=78729')).status).toBe(200);
    expect((await getJson('/v1/forecast?latitude=1&longitude=2')).status).toBe(500);
    expect((await getJson('/data/3.0/onecall?lat=1&lon=2&appid=x')).status).toBe(500);
    expect((await getJson('/v1/forecast?latitude=1&longitude=2')).status).toBe(200);
  });

  it('sends Retry-After with 429 and garbage as a 200', async () => {
    stub().setFault({ kind: '429', retryAfterSeconds: 9, times: 1 });
    const limited = await fetch(`${stub().url}/v1/search?name=78729`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('9');
    stub().setFault({ kind: 'garbage', times: 1 });
    const garbage = await fetch(`${stub().url}/v1/search?name=78729`);
    expect(garbage.status).toBe(200);
    expect(await garbage.text()).toBe('{not json');
  });

  it('clears a fault with null and rejects malformed ones', async () => {
    await postFault({ kind: '500' });
    await postFault(null);
    expect((await getJson('/v1/search?name=78729')).status).toBe(200);
    expect((await postFault({ kind: 'explode' })).status).toBe(400);
    expect((await postFault({ kind: '500', times: 0 })).status).toBe(400);
  });

  it('records API requests (not admin ones) and serves them over HTTP', async () => {
    await fetch(`${stub().url}/v1/search?name=78729&count=10`, { headers: { 'x-test': 'yes' } });
    const { body } = await getJson('/__stub/requests');
    expect(body).toEqual([expect.objectContaining({ method: 'GET', path: '/v1/search', query: { name: '78729', count: '10' } })]);
    expect(stub().requests[0].headers['x-test']).toBe('yes');
    await fetch(`${stub().url}/__stub/requests`, { method: 'DELETE' });
    expect(stub().requests).toHaveLength(0);
  });

  it('closes while a request hangs, cutting it off instead of waiting for it', async () => {
    const own = await startWeatherStub({ now: () => NOW });
    own.setFault({ kind: 'hang' });
    const pending = fetch(`${own.url}/v1/search?name=78729`).catch((err: unknown) => err);
    // The stub has the request (recorded on arrival) and will never answer it.
    await vi.waitFor(() => expect(own.requests).toHaveLength(1));
    // close() drops the hanging connection instead of waiting for it (it would never settle: the test times out).
    await own.close();
    expect(await pending).toBeInstanceOf(Error); // the hanging request was cut off, not answered
  });
});
