/**
 * A local stand-in for the Open-Meteo geocoding + forecast APIs and the
 * OpenWeatherMap zip geocoder + One Call 3.0, speaking their real JSON shapes,
 * for tests and offline runs. All four APIs live on one origin, so its URL can
 * be used for every base URL. The weather is synthetic but plausible and
 * deterministic in (lat, lon, time).
 *
 * Faults (500, 429 + Retry-After, hang, garbage) can be set in-process with
 * `setFault` or from another process with `POST /__stub/fault`; requests are
 * recorded and served at `GET /__stub/requests`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { NodeBuffer } from './node-buffer';

// ---------------------------------------------------------------------------
// Public API

export type StubFaultKind = '500' | '429' | 'hang' | 'garbage';
export type StubPathKind = 'geocoding' | 'forecast';

export interface StubFault {
  kind: StubFaultKind;
  /** How many matching requests get the fault; forever when omitted. */
  times?: number;
  /** `Retry-After` seconds sent with a 429 (default 1). */
  retryAfterSeconds?: number;
  /** Only requests to this kind of endpoint; all API endpoints when omitted. */
  path?: StubPathKind;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
}

export interface WeatherStubOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The stub's clock (what "today" and "current" mean); real time by default. */
  now?: () => Date;
  /** When set, the OWM endpoints accept only this `appid`; otherwise any non-empty one. */
  owmApiKey?: string;
}

export interface WeatherStub {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  /** Every API request so far, oldest first (admin requests are not recorded). */
  requests: RecordedRequest[];
  setFault(fault: StubFault | null): void;
  clearRequests(): void;
  /** Stops listening and drops open connections, including hanging ones. */
  close(): Promise<void>;
}

export interface StubPlace {
  zip: string;
  id: number;
  name: string;
  admin1: string;
  admin2?: string;
  lat: number;
  lon: number;
  elevation: number;
  timezone: string;
  population?: number;
}

/** Real ZIPs the stub knows by name. */
export const STUB_PLACES: Readonly<Record<string, StubPlace>> = {
  '78729': {
    zip: '78729',
    id: 4671654,
    name: 'Austin',
    admin1: 'Texas',
    admin2: 'Travis',
    lat: 30.45215,
    lon: -97.76889,
    elevation: 262,
    timezone: 'America/Chicago',
    population: 961855,
  },
  '99701': {
    zip: '99701',
    id: 5861897,
    name: 'Fairbanks',
    admin1: 'Alaska',
    admin2: 'Fairbanks North Star',
    lat: 64.83778,
    lon: -147.71639,
    elevation: 136,
    timezone: 'America/Anchorage',
    population: 31535,
  },
  '96813': {
    zip: '96813',
    id: 5856195,
    name: 'Honolulu',
    admin1: 'Hawaii',
    admin2: 'Honolulu',
    lat: 21.30694,
    lon: -157.85833,
    elevation: 5,
    timezone: 'Pacific/Honolulu',
    population: 371657,
  },
  '10001': {
    zip: '10001',
    id: 5128581,
    name: 'New York',
    admin1: 'New York',
    lat: 40.75061,
    lon: -73.99716,
    elevation: 10,
    timezone: 'America/New_York',
    population: 8804190,
  },
  '94103': {
    zip: '94103',
    id: 5391959,
    name: 'San Francisco',
    admin1: 'California',
    admin2: 'San Francisco',
    lat: 37.77254,
    lon: -122.41474,
    elevation: 16,
    timezone: 'America/Los_Angeles',
    population: 864816,
  },
};

const SYNTHETIC_TIMEZONE = 'America/Chicago';
const AUSTIN = { lat: 30.2672, lon: -97.7431 };

/**
 * The place for a ZIP: the table, else a synthetic place near Austin for any
 * 5-digit ZIP starting with 7 (so load tests can use many ZIPs), else none.
 */
export function stubPlaceForZip(zip: string): StubPlace | undefined {
  const known = STUB_PLACES[zip];
  if (known) return known;
  if (!/^7\d{4}$/.test(zip)) return undefined;
  const n = Number(zip);
  return {
    zip,
    id: 9_000_000 + n,
    name: `Stubville ${zip}`,
    admin1: 'Texas',
    lat: round(AUSTIN.lat + ((n % 97) - 48) * 0.01, 4),
    lon: round(AUSTIN.lon + ((Math.floor(n / 97) % 89) - 44) * 0.01, 4),
    elevation: 200,
    timezone: SYNTHETIC_TIMEZONE,
  };
}

export async function startWeatherStub(options: WeatherStubOptions = {}): Promise<WeatherStub> {
  const clock = options.now ?? (() => new Date());
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let fault: { spec: StubFault; remaining: number } | null = null;

  const setFault = (spec: StubFault | null) => {
    fault = spec ? { spec, remaining: spec.times ?? Number.POSITIVE_INFINITY } : null;
  };

  /** The fault to apply to this request, if any, counting it down. */
  const takeFault = (kind: StubPathKind): StubFault | undefined => {
    if (!fault || (fault.spec.path && fault.spec.path !== kind)) return undefined;
    const { spec } = fault;
    fault.remaining -= 1;
    if (fault.remaining <= 0) fault = null;
    return spec;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: true, reason: `stub crashed: ${String(err)}` });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stub.invalid');
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams);

    if (url.pathname.startsWith('/__stub/')) return handleAdmin(req, res, url.pathname, method);

    requests.push({ method, path: url.pathname, query, headers: req.headers });
    const route = ROUTES[url.pathname];
    if (!route || method !== 'GET') return sendJson(res, 404, { error: true, reason: 'Not Found' });

    const applied = takeFault(route.kind);
    if (applied) return sendFault(res, applied);

    const answer = route.handler(query, { now: clock(), owmApiKey: options.owmApiKey });
    sendJson(res, answer.status, answer.body);
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
    if (path === '/__stub/requests' && method === 'GET') return sendJson(res, 200, requests);
    if (path === '/__stub/requests' && method === 'DELETE') {
      requests.length = 0;
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/__stub/health' && method === 'GET') return sendJson(res, 200, { ok: true });
    if (path === '/__stub/fault' && method === 'POST') {
      const parsed = parseFault(await readBody(req));
      if (parsed === 'invalid') return sendJson(res, 400, { ok: false, reason: 'expected null or {kind, times?, retryAfterSeconds?, path?}' });
      setFault(parsed);
      return sendJson(res, 200, { ok: true, fault: parsed });
    }
    sendJson(res, 404, { ok: false, reason: 'unknown stub admin endpoint' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setFault,
    clearRequests: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A hanging response keeps its socket busy forever; close() must not wait for it.
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}

// ---------------------------------------------------------------------------
// HTTP plumbing

interface Answer {
  status: number;
  body: unknown;
}

interface Context {
  now: Date;
  owmApiKey?: string;
}

type Query = Record<string, string>;

const ROUTES: Record<string, { kind: StubPathKind; handler: (query: Query, ctx: Context) => Answer }> = {
  '/v1/search': { kind: 'geocoding', handler: (q) => openMeteoSearch(q) },
  '/v1/forecast': { kind: 'forecast', handler: openMeteoForecast },
  '/geo/1.0/zip': { kind: 'geocoding', handler: owmZip },
  '/data/3.0/onecall': { kind: 'forecast', handler: owmOneCall },
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': NodeBuffer.byteLength(text), ...headers });
  res.end(text);
}

function sendFault(res: ServerResponse, fault: StubFault): void {
  switch (fault.kind) {
    case '500':
      return sendJson(res, 500, { error: true, reason: 'stub fault: internal server error' });
    case '429':
      return sendJson(res, 429, { error: true, reason: 'stub fault: too many requests' }, { 'retry-after': String(fault.retryAfterSeconds ?? 1) });
    case 'garbage':
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{not json');
      return;
    case 'hang':
      // Never answer; close() destroys the socket.
      return;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

const FAULT_KINDS: readonly string[] = ['500', '429', 'hang', 'garbage'];

function parseFault(text: string): StubFault | null | 'invalid' {
  let value: unknown;
  try {
    value = JSON.parse(text || 'null');
  } catch {
    return 'invalid';
  }
  if (value === null) return null;
  if (typeof value !== 'object') return 'invalid';
  const v = value as Record<string, unknown>;
  if (typeof v.kind !== 'string' || !FAULT_KINDS.includes(v.kind)) return 'invalid';
  if (v.times !== undefined && !(Number.isInteger(v.times) && (v.times as number) > 0)) return 'invalid';
  if (v.retryAfterSeconds !== undefined && !(Number.isInteger(v.retryAfterSeconds) && (v.retryAfterSeconds as number) >= 0)) return 'invalid';
  if (v.path !== undefined && v.path !== 'geocoding' && v.path !== 'forecast') return 'invalid';
  return {
    kind: v.kind as StubFaultKind,
    ...(v.times !== undefined ? { times: v.times as number } : {}),
    ...(v.retryAfterSeconds !== undefined ? { retryAfterSeconds: v.retryAfterSeconds as number } : {}),
    ...(v.path !== undefined ? { path: v.path } : {}),
  };
}

// ---------------------------------------------------------------------------
// Synthetic weather

export interface SyntheticInstant {
  temperatureC: number;
  relativeHumidityPct: number;
  pressureMslHpa: number;
  cloudCoverPct: number;
  windSpeedMs: number;
  windGustsMs: number;
  windDirectionDeg: number;
}

export interface SyntheticHourPrecipitation {
  rainMm: number;
  showersMm: number;
  /** Snow depth in cm (Open-Meteo's unit); water equivalent is `snowfallCm * 10 / 7` mm. */
  snowfallCm: number;
}

const TAU = 2 * Math.PI;
const WET_THRESHOLD = 0.95;

/** A stable number in [0, 1) per place, so places differ but never change. */
function placeSeed(lat: number, lon: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${lat.toFixed(2)},${lon.toFixed(2)}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}

/** > WET_THRESHOLD means it is precipitating; a few wet spells per week. */
function wetness(seed: number, hours: number): number {
  return Math.sin(hours / 9 + seed * 20) + 0.6 * Math.sin(hours / 4.3 + seed * 7);
}

/** Instantaneous conditions at `unixSeconds`: diurnal and seasonal temperature, drifting pressure, wind. */
export function syntheticInstant(lat: number, lon: number, unixSeconds: number): SyntheticInstant {
  const seed = placeSeed(lat, lon);
  const hours = unixSeconds / 3600;
  const solarHour = ((((hours % 24) + lon / 15) % 24) + 24) % 24;
  const dayOfYear = (unixSeconds / 86400) % 365.2425;
  const seasonalAmplitude = Math.max(0, 0.3 * Math.abs(lat) - 5);
  const northern = lat >= 0 ? 1 : -1;
  const temperatureC =
    28 -
    0.75 * Math.max(0, Math.abs(lat) - 20) +
    northern * seasonalAmplitude * Math.sin((TAU * (dayOfYear - 100)) / 365.2425) +
    6 * Math.cos((TAU * (solarHour - 15)) / 24) +
    2.5 * Math.sin(hours / 37 + seed * 10);
  const wet = wetness(seed, hours);
  const raining = wet > WET_THRESHOLD;
  return {
    temperatureC: round(temperatureC, 1),
    relativeHumidityPct: Math.round(clamp(62 + 22 * wet - 1.5 * (temperatureC - 15), 8, 100)),
    pressureMslHpa: round(1013 + 9 * Math.sin(hours / 50 + seed * 3) - (raining ? 5 : 0), 1),
    cloudCoverPct: raining ? 100 : Math.round(clamp(50 + 45 * Math.sin(hours / 13 + seed * 5) + 25 * wet, 0, 100)),
    windSpeedMs: round(3.5 + 2.5 * Math.sin(hours / 6 + seed * 11) + 1.5 * Math.max(0, wet), 1),
    windGustsMs: round(6 + 4 * Math.sin(hours / 6 + seed * 11) + 3 * Math.max(0, wet), 1),
    windDirectionDeg: Math.round((((200 + 140 * Math.sin(hours / 19 + seed * 13)) % 360) + 360) % 360),
  };
}

/** Precipitation falling during the hour starting at `hourStartSeconds`. */
export function syntheticPrecipitation(lat: number, lon: number, hourStartSeconds: number): SyntheticHourPrecipitation {
  const middle = hourStartSeconds + 1800;
  const wet = wetness(placeSeed(lat, lon), middle / 3600);
  const waterMm = wet > WET_THRESHOLD ? (wet - WET_THRESHOLD) * 5 : 0;
  if (waterMm === 0) return { rainMm: 0, showersMm: 0, snowfallCm: 0 };
  if (syntheticInstant(lat, lon, middle).temperatureC <= 0.5) {
    return { rainMm: 0, showersMm: 0, snowfallCm: round((waterMm * 7) / 10, 2) };
  }
  return { rainMm: round(waterMm * 0.6, 1), showersMm: round(waterMm * 0.4, 1), snowfallCm: 0 };
}

/** Sunrise and sunset (unix seconds) for the local day starting at `dayStartSeconds`. */
function sunTimes(lat: number, lon: number, dayStartSeconds: number, utcOffsetSeconds: number): { sunrise: number; sunset: number } {
  const dayOfYear = ((dayStartSeconds / 86400) % 365.2425) + 1;
  const declination = ((23.44 * Math.PI) / 180) * Math.sin((TAU * (284 + dayOfYear)) / 365);
  const cosH = clamp(-Math.tan((lat * Math.PI) / 180) * Math.tan(declination), -1, 1);
  const halfDayHours = (Math.acos(cosH) * 180) / Math.PI / 15;
  const solarNoon = dayStartSeconds + (12 - lon / 15 + utcOffsetSeconds / 3600) * 3600;
  return { sunrise: Math.round(solarNoon - halfDayHours * 3600), sunset: Math.round(solarNoon + halfDayHours * 3600) };
}

// ---------------------------------------------------------------------------
// Time zones

/** The zone Open-Meteo's `timezone=auto` would pick: a table place within 0.5°, else Austin's. */
function placeNear(lat: number, lon: number): StubPlace | undefined {
  return Object.values(STUB_PLACES).find((p) => Math.abs(p.lat - lat) < 0.5 && Math.abs(p.lon - lon) < 0.5);
}

function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function zonePart(zone: string, at: Date, style: 'longOffset' | 'short'): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: style }).formatToParts(at);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
}

function utcOffsetSeconds(zone: string, at: Date): number {
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(zonePart(zone, at, 'longOffset'));
  if (!match) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60;
  return match[1] === '-' ? -seconds : seconds;
}

/** Open-Meteo's iso8601 time format: local time without zone, minutes precision. */
function localIso(unixSeconds: number, offsetSeconds: number, withTime = true): string {
  const iso = new Date((unixSeconds + offsetSeconds) * 1000).toISOString();
  return withTime ? iso.slice(0, 16) : iso.slice(0, 10);
}

// ---------------------------------------------------------------------------
// Open-Meteo

function openMeteoError(reason: string): Answer {
  return { status: 400, body: { error: true, reason } };
}

/** `/v1/search`: a ZIP as `name` matches that postal code; anything else matches nothing. */
function openMeteoSearch(query: Query): Answer {
  const name = (query.name ?? '').trim();
  if (!('name' in query)) return openMeteoError("Parameter 'name' is required");
  const count = query.count === undefined ? 10 : Number(query.count);
  if (!Number.isInteger(count) || count < 1 || count > 100) return openMeteoError('Parameter count must be between 1 and 100.');
  const place = stubPlaceForZip(name);
  const countryOk = query.countryCode === undefined || query.countryCode.toUpperCase() === 'US';
  if (!place || !countryOk) return { status: 200, body: { generationtime_ms: 0.1 } };
  return {
    status: 200,
    body: {
      results: [
        {
          id: place.id,
          name: place.name,
          latitude: place.lat,
          longitude: place.lon,
          elevation: place.elevation,
          feature_code: 'PPL',
          country_code: 'US',
          admin1_id: 4736286,
          timezone: place.timezone,
          ...(place.population ? { population: place.population } : {}),
          postcodes: [place.zip],
          country_id: 6252001,
          country: 'United States',
          admin1: place.admin1,
          ...(place.admin2 ? { admin2: place.admin2 } : {}),
        },
      ],
      generationtime_ms: 0.4,
    },
  };
}

interface Units {
  fahrenheit: boolean;
  wind: 'kmh' | 'ms' | 'mph' | 'kn';
  inch: boolean;
}

const WIND_FACTORS = { kmh: 3.6, ms: 1, mph: 2.236936, kn: 1.943844 } as const;
const WIND_LABELS = { kmh: 'km/h', ms: 'm/s', mph: 'mp/h', kn: 'kn' } as const;

/** One Open-Meteo variable: its unit label and its value at an instant (sums cover `sumSeconds` before it). */
interface OpenMeteoVariable {
  unit: (u: Units) => string;
  value: (lat: number, lon: number, t: number, u: Units, sumSeconds: number) => number;
}

/** Precipitation sums over the `sumSeconds` before `t`, from the hourly amounts. */
function precipitationBefore(lat: number, lon: number, t: number, sumSeconds: number): SyntheticHourPrecipitation {
  const hourStart = Math.floor((t - 1) / 3600) * 3600;
  const hour = syntheticPrecipitation(lat, lon, hourStart);
  const share = sumSeconds / 3600;
  return { rainMm: hour.rainMm * share, showersMm: hour.showersMm * share, snowfallCm: hour.snowfallCm * share };
}

const temperature = (c: number, u: Units) => round(u.fahrenheit ? (c * 9) / 5 + 32 : c, 1);
const speed = (ms: number, u: Units) => round(ms * WIND_FACTORS[u.wind], 1);
const mm = (value: number, u: Units) => (u.inch ? round(value / 25.4, 3) : round(value, 1));

const OPEN_METEO_VARIABLES: Record<string, OpenMeteoVariable> = {
  temperature_2m: { unit: (u) => (u.fahrenheit ? '°F' : '°C'), value: (la, lo, t, u) => temperature(syntheticInstant(la, lo, t).temperatureC, u) },
  relative_humidity_2m: { unit: () => '%', value: (la, lo, t) => syntheticInstant(la, lo, t).relativeHumidityPct },
  pressure_msl: { unit: () => 'hPa', value: (la, lo, t) => syntheticInstant(la, lo, t).pressureMslHpa },
  surface_pressure: {
    unit: () => 'hPa',
    value: (la, lo, t) => round(syntheticInstant(la, lo, t).pressureMslHpa * Math.exp(-(placeNear(la, lo)?.elevation ?? 150) / 8434), 1),
  },
  cloud_cover: { unit: () => '%', value: (la, lo, t) => syntheticInstant(la, lo, t).cloudCoverPct },
  rain: { unit: (u) => (u.inch ? 'inch' : 'mm'), value: (la, lo, t, u, s) => mm(precipitationBefore(la, lo, t, s).rainMm, u) },
  showers: { unit: (u) => (u.inch ? 'inch' : 'mm'), value: (la, lo, t, u, s) => mm(precipitationBefore(la, lo, t, s).showersMm, u) },
  snowfall: {
    unit: (u) => (u.inch ? 'inch' : 'cm'),
    value: (la, lo, t, u, s) => {
      const cm = precipitationBefore(la, lo, t, s).snowfallCm;
      return u.inch ? round(cm / 2.54, 3) : round(cm, 2);
    },
  },
  precipitation: {
    unit: (u) => (u.inch ? 'inch' : 'mm'),
    value: (la, lo, t, u, s) => {
      const p = precipitationBefore(la, lo, t, s);
      return mm(p.rainMm + p.showersMm + (p.snowfallCm * 10) / 7, u);
    },
  },
  wind_speed_10m: { unit: (u) => WIND_LABELS[u.wind], value: (la, lo, t, u) => speed(syntheticInstant(la, lo, t).windSpeedMs, u) },
  wind_gusts_10m: { unit: (u) => WIND_LABELS[u.wind], value: (la, lo, t, u) => speed(syntheticInstant(la, lo, t).windGustsMs, u) },
  wind_direction_10m: { unit: () => '°', value: (la, lo, t) => syntheticInstant(la, lo, t).windDirectionDeg },
  weather_code: { unit: () => 'wmo code', value: (la, lo, t) => weatherCode(la, lo, t).wmo },
};

function weatherCode(lat: number, lon: number, t: number): { wmo: number; owm: number; main: string; description: string; icon: string } {
  const p = syntheticPrecipitation(lat, lon, Math.floor(t / 3600) * 3600);
  const clouds = syntheticInstant(lat, lon, t).cloudCoverPct;
  if (p.snowfallCm > 0) return { wmo: 73, owm: 601, main: 'Snow', description: 'snow', icon: '13d' };
  if (p.rainMm + p.showersMm >= 2) return { wmo: 63, owm: 501, main: 'Rain', description: 'moderate rain', icon: '10d' };
  if (p.rainMm + p.showersMm > 0) return { wmo: 61, owm: 500, main: 'Rain', description: 'light rain', icon: '10d' };
  if (clouds > 85) return { wmo: 3, owm: 804, main: 'Clouds', description: 'overcast clouds', icon: '04d' };
  if (clouds > 25) return { wmo: 2, owm: 802, main: 'Clouds', description: 'scattered clouds', icon: '03d' };
  return { wmo: 0, owm: 800, main: 'Clear', description: 'clear sky', icon: '01d' };
}

const DAILY_VARIABLES = ['sunrise', 'sunset', 'temperature_2m_max', 'temperature_2m_min'] as const;

function list(value: string | undefined): string[] {
  return value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** `/v1/forecast`: hourly data from local midnight today, like the real API. */
function openMeteoForecast(query: Query, ctx: Context): Answer {
  const lat = Number(query.latitude);
  const lon = Number(query.longitude);
  if (query.latitude === undefined || query.longitude === undefined)
    return openMeteoError("Parameter 'latitude' and 'longitude' must have the same number of elements");
  if (!(lat >= -90 && lat <= 90)) return openMeteoError(`Latitude must be in range of -90 to 90°. Given: ${query.latitude}.`);
  if (!(lon >= -180 && lon <= 180)) return openMeteoError(`Longitude must be in range of -180 to 180°. Given: ${query.longitude}.`);

  const hourly = list(query.hourly);
  const current = list(query.current);
  const daily = list(query.daily);
  for (const [key, names, known] of [
    ['hourly', hourly, Object.keys(OPEN_METEO_VARIABLES)],
    ['current', current, Object.keys(OPEN_METEO_VARIABLES)],
    ['daily', daily, DAILY_VARIABLES as readonly string[]],
  ] as const) {
    const bad = names.find((n) => !known.includes(n));
    if (bad) return openMeteoError(`Cannot initialize ForecastVariable from invalid String value ${bad} for key ${key}`);
  }

  const wind = query.wind_speed_unit ?? query.windspeed_unit ?? 'kmh';
  if (!(wind in WIND_FACTORS)) return openMeteoError(`Cannot initialize WindspeedUnit from invalid String value ${wind}`);
  const units: Units = { fahrenheit: query.temperature_unit === 'fahrenheit', wind: wind as Units['wind'], inch: query.precipitation_unit === 'inch' };
  const unixtime = query.timeformat === 'unixtime';
  const forecastDays = query.forecast_days === undefined ? 7 : Number(query.forecast_days);
  const pastDays = query.past_days === undefined ? 0 : Number(query.past_days);
  if (!Number.isInteger(forecastDays) || forecastDays < 0 || forecastDays > 16) return openMeteoError('Forecast days is invalid. Allowed range 0 to 16.');
  if (!Number.isInteger(pastDays) || pastDays < 0 || pastDays > 92) return openMeteoError('Past days is invalid. Allowed range 0 to 92.');

  const requestedZone = query.timezone ?? 'GMT';
  const zone = requestedZone === 'auto' ? (placeNear(lat, lon)?.timezone ?? SYNTHETIC_TIMEZONE) : requestedZone;
  if (!isValidZone(zone)) return openMeteoError(`Invalid timezone`);
  const offset = utcOffsetSeconds(zone, ctx.now);
  const nowSeconds = Math.floor(ctx.now.getTime() / 1000);
  const localDayStart = Math.floor((nowSeconds + offset) / 86400) * 86400 - offset;
  const firstHour = localDayStart - pastDays * 86400;
  const hours = (pastDays + forecastDays) * 24;
  const stamp = (t: number, withTime = true) => (unixtime ? t : localIso(t, offset, withTime));

  const body: Record<string, unknown> = {
    latitude: round(lat, 2),
    longitude: round(lon, 2),
    generationtime_ms: 0.2,
    utc_offset_seconds: offset,
    timezone: zone,
    timezone_abbreviation: zone === 'GMT' ? 'GMT' : zonePart(zone, ctx.now, 'short'),
    elevation: placeNear(lat, lon)?.elevation ?? 150,
  };
  const timeUnit = unixtime ? 'unixtime' : 'iso8601';

  if (current.length > 0) {
    const t = Math.floor(nowSeconds / 900) * 900;
    body.current_units = { time: timeUnit, interval: 'seconds', ...unitsOf(current, units) };
    body.current = {
      time: stamp(t),
      interval: 900,
      ...Object.fromEntries(current.map((n) => [n, OPEN_METEO_VARIABLES[n].value(lat, lon, t, units, 900)])),
    };
  }
  if (hourly.length > 0) {
    const times = Array.from({ length: hours }, (_, i) => firstHour + i * 3600);
    body.hourly_units = { time: timeUnit, ...unitsOf(hourly, units) };
    body.hourly = {
      time: times.map((t) => stamp(t)),
      ...Object.fromEntries(hourly.map((n) => [n, times.map((t) => OPEN_METEO_VARIABLES[n].value(lat, lon, t, units, 3600))])),
    };
  }
  if (daily.length > 0) {
    const days = Array.from({ length: pastDays + forecastDays }, (_, i) => firstHour + i * 86400);
    const dailyValue = (name: (typeof DAILY_VARIABLES)[number], day: number): number | string => {
      if (name === 'sunrise' || name === 'sunset') return stamp(sunTimes(lat, lon, day, offset)[name]);
      const temps = Array.from({ length: 24 }, (_, h) => syntheticInstant(lat, lon, day + h * 3600).temperatureC);
      return temperature(name === 'temperature_2m_max' ? Math.max(...temps) : Math.min(...temps), units);
    };
    body.daily_units = {
      time: timeUnit,
      ...Object.fromEntries(daily.map((n) => [n, n.startsWith('temperature') ? (units.fahrenheit ? '°F' : '°C') : timeUnit])),
    };
    body.daily = {
      time: days.map((d) => stamp(d, false)),
      ...Object.fromEntries(daily.map((n) => [n, days.map((d) => dailyValue(n as (typeof DAILY_VARIABLES)[number], d))])),
    };
  }
  return { status: 200, body };
}

function unitsOf(names: readonly string[], units: Units): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, OPEN_METEO_VARIABLES[n].unit(units)]));
}

// ---------------------------------------------------------------------------
// OpenWeatherMap

function owmUnauthorized(query: Query, ctx: Context): Answer | undefined {
  const key = query.appid ?? '';
  const ok = ctx.owmApiKey === undefined ? key !== '' : key === ctx.owmApiKey;
  if (ok) return undefined;
  return { status: 401, body: { cod: 401, message: 'Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.' } };
}

/** `/geo/1.0/zip?zip=78729,US`: 404 for a ZIP it does not know. */
function owmZip(query: Query, ctx: Context): Answer {
  const denied = owmUnauthorized(query, ctx);
  if (denied) return denied;
  const [code = '', country = 'US'] = (query.zip ?? '').split(',').map((s) => s.trim());
  if (code === '') return { status: 400, body: { cod: '400', message: 'invalid zip code' } };
  const place = country.toUpperCase() === 'US' ? stubPlaceForZip(code) : undefined;
  if (!place) return { status: 404, body: { cod: '404', message: 'not found' } };
  return { status: 200, body: { zip: place.zip, name: place.name, lat: place.lat, lon: place.lon, country: 'US' } };
}

type OwmUnits = 'standard' | 'metric' | 'imperial';

function owmConditions(lat: number, lon: number, t: number, units: OwmUnits, precipHourStart: number): Record<string, unknown> {
  const w = syntheticInstant(lat, lon, t);
  const p = syntheticPrecipitation(lat, lon, precipHourStart);
  const temp = units === 'standard' ? w.temperatureC + 273.15 : units === 'imperial' ? (w.temperatureC * 9) / 5 + 32 : w.temperatureC;
  const windFactor = units === 'imperial' ? WIND_FACTORS.mph : 1;
  const code = weatherCode(lat, lon, t);
  const rain = round(p.rainMm + p.showersMm, 2);
  const snow = round((p.snowfallCm * 10) / 7, 2);
  return {
    dt: t,
    temp: round(temp, 2),
    feels_like: round(temp - w.windSpeedMs * 0.3, 2),
    pressure: Math.round(w.pressureMslHpa),
    humidity: w.relativeHumidityPct,
    dew_point: round(temp - (100 - w.relativeHumidityPct) / 5, 2),
    uvi: 0,
    clouds: w.cloudCoverPct,
    visibility: 10000,
    wind_speed: round(w.windSpeedMs * windFactor, 2),
    wind_deg: w.windDirectionDeg,
    wind_gust: round(w.windGustsMs * windFactor, 2),
    weather: [{ id: code.owm, main: code.main, description: code.description, icon: code.icon }],
    ...(rain > 0 ? { rain: { '1h': rain } } : {}),
    ...(snow > 0 ? { snow: { '1h': snow } } : {}),
  };
}

/** `/data/3.0/onecall`: current, 61 minutely, 48 hourly (from the current hour), 8 daily. */
function owmOneCall(query: Query, ctx: Context): Answer {
  const denied = owmUnauthorized(query, ctx);
  if (denied) return denied;
  const lat = Number(query.lat);
  const lon = Number(query.lon);
  if (query.lat === undefined || !(lat >= -90 && lat <= 90)) return { status: 400, body: { cod: '400', message: 'wrong latitude' } };
  if (query.lon === undefined || !(lon >= -180 && lon <= 180)) return { status: 400, body: { cod: '400', message: 'wrong longitude' } };
  const units = (['standard', 'metric', 'imperial'] as const).find((u) => u === query.units) ?? 'standard';
  const exclude = new Set(list(query.exclude));

  const zone = placeNear(lat, lon)?.timezone ?? SYNTHETIC_TIMEZONE;
  const offset = utcOffsetSeconds(zone, ctx.now);
  const nowSeconds = Math.floor(ctx.now.getTime() / 1000);
  const hourStart = Math.floor(nowSeconds / 3600) * 3600;
  const body: Record<string, unknown> = { lat: round(lat, 4), lon: round(lon, 4), timezone: zone, timezone_offset: offset };

  if (!exclude.has('current')) {
    const sun = sunTimes(lat, lon, Math.floor((nowSeconds + offset) / 86400) * 86400 - offset, offset);
    body.current = { ...owmConditions(lat, lon, nowSeconds, units, hourStart), sunrise: sun.sunrise, sunset: sun.sunset };
  }
  if (!exclude.has('minutely')) {
    const minuteStart = Math.floor(nowSeconds / 60) * 60;
    body.minutely = Array.from({ length: 61 }, (_, i) => {
      const t = minuteStart + i * 60;
      const p = syntheticPrecipitation(lat, lon, Math.floor(t / 3600) * 3600);
      return { dt: t, precipitation: round(p.rainMm + p.showersMm + (p.snowfallCm * 10) / 7, 2) };
    });
  }
  if (!exclude.has('hourly')) {
    body.hourly = Array.from({ length: 48 }, (_, i) => {
      const t = hourStart + i * 3600;
      return { ...owmConditions(lat, lon, t, units, t), pop: syntheticPrecipitation(lat, lon, t).rainMm > 0 ? 0.8 : 0 };
    });
  }
  if (!exclude.has('daily')) {
    const dayStart = Math.floor((nowSeconds + offset) / 86400) * 86400 - offset;
    body.daily = Array.from({ length: 8 }, (_, i) => {
      const day = dayStart + i * 86400;
      const noon = owmConditions(lat, lon, day + 12 * 3600, units, day + 12 * 3600);
      const temps = Array.from({ length: 24 }, (_, h) => syntheticInstant(lat, lon, day + h * 3600).temperatureC);
      const sun = sunTimes(lat, lon, day, offset);
      return { ...noon, dt: day + 12 * 3600, sunrise: sun.sunrise, sunset: sun.sunset, temp: { min: Math.min(...temps), max: Math.max(...temps) } };
    });
  }
  return { status: 200, body };
}

// ---------------------------------------------------------------------------

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
