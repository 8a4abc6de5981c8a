import { request as httpRequest, type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../src/otel/testing';
import { NodeBuffer } from '../support/node-buffer';
import { assertNoConfigReload, logsNamed, parseLogLines } from '../support/stack-logs';
import { startWeatherStub, type WeatherStub } from '../support/weather-stub';
import { startZipRouter, type ZipRouter } from '../support/zip-router';
import { startStack, waitFor, type Stack } from './stack';

/**
 * Security against the real `npm start` stack, run with an OpenWeatherMap key and tracing on:
 * - admin auth fuzzing: bad tokens and path tricks never get a 2xx, admin data, or a state change;
 * - an incoming traceparent on public (or unauthenticated) requests is not trusted: a new trace,
 *   the caller's context kept as a link on the server span;
 * - redaction: the OWM key appears in no exported span and no log line, even where the upstream
 *   echoes it back in an error body;
 * - log lines cannot be forged by input: text with a newline and a JSON object in it, from the
 *   request path, the query, or an upstream body, stays inside a string field of one JSON line.
 */
const rand = () => Math.random().toString(36).slice(2, 10);
const OWM_KEY = `owm-e2e-secret-${rand()}${rand()}`;
/** 9 characters, so a whole forged line fits in the 40 characters of a "body is not JSON" snippet. */
const MARK = `forged${rand().slice(0, 3)}`;
const FORGED_LINE = `{"level":"error","message":"${MARK}"}`;

let fallback: WeatherStub;
let router: ZipRouter;
let receiver: OtlpReceiver;
let stack: Stack;

const ZIP_OK = '78729';
const ZIP_UNKNOWN = '00000';
/** Its OWM geocoder answers 400 (permanent) echoing the key and a forged log line. */
const ZIP_ECHO_400 = '71111';
/** Its geocoder answers 500 echoing the key once (transient), then the real answer. */
const ZIP_ECHO_500_ONCE = '71112';
/** Its forecast answers 200 with a non-JSON body that starts with a forged log line, once. */
const ZIP_GARBAGE_ONCE = '71113';

beforeAll(async () => {
  fallback = await startWeatherStub({ owmApiKey: OWM_KEY });
  router = await startZipRouter(fallback.url);
  receiver = await startOtlpReceiver();
  const json = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    return true;
  };
  router.route(ZIP_ECHO_400, {
    respond: (req, res) => json(res, 400, `{"cod":"400","message":"bad request for appid ${req.query.appid}: x\\"}\n${FORGED_LINE}"}`),
  });
  let echoed = false;
  router.route(ZIP_ECHO_500_ONCE, {
    respond: (req, res) => {
      if (echoed || req.path !== '/geo/1.0/zip') return false;
      echoed = true;
      return json(res, 500, `{"cod":500,"message":"internal error; your key is ${req.query.appid}\n${FORGED_LINE}"}`);
    },
  });
  let garbled = false;
  router.route(ZIP_GARBAGE_ONCE, {
    respond: (req, res) => {
      if (garbled || req.path !== '/data/3.0/onecall') return false;
      garbled = true;
      res.writeHead(200, { 'content-type': 'application/json' }).end(`\n${FORGED_LINE} and then ${req.query.appid}`);
      return true;
    },
  });
  stack = await startStack({
    OWM_API_KEY: OWM_KEY,
    OWM_API_URL: router.url,
    OPEN_METEO_GEOCODING_URL: router.url,
    OPEN_METEO_FORECAST_URL: router.url,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORT_TIMEOUT_MS: '2000',
  });
});

// A second `npm start` anywhere in the checkout silently reconfigures this stack: say so, rather than fail obscurely.
afterEach(() => assertNoConfigReload(stack.lines));

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
  await router?.close();
  await fallback?.close();
});

const bearer = () => ({ authorization: `Bearer ${stack.token}` });
/**
 * Attackers' addresses (CF-Connecting-IP; miniflare sets it from the socket only when a request has
 * none): failed authentications are counted per client, and the admin (127.0.0.1) is another client.
 */
let attackers = 0;
const attacker = () => ({ 'cf-connecting-ip': `203.0.113.${++attackers}` });
const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

async function adminGet(path: string): Promise<unknown> {
  const res = await fetch(`${stack.baseUrl}${path}`, { headers: bearer() });
  expect(res.status).toBe(200);
  return res.json();
}

/** Sends the path exactly as written (fetch would normalize `..`, `.` and `//`). */
function rawRequest(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(stack.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------------------
// Pipeline runs that exercise the key (and the forging payloads) on every path

describe('runs with an OpenWeatherMap key', () => {
  const traces: Record<string, string> = {};

  it('uses the key with the weather API, for successes, permanent and transient failures', async () => {
    await (await fetch(`${stack.baseUrl}/admin/formats/add?zip=${ZIP_OK}&format=eink`, { method: 'POST', headers: bearer() })).arrayBuffer();
    for (const zip of [ZIP_OK, ZIP_UNKNOWN, ZIP_ECHO_400, ZIP_ECHO_500_ONCE, ZIP_GARBAGE_ONCE]) {
      const res = await fetch(`${stack.baseUrl}/admin/generate?zip=${zip}`, { method: 'POST', headers: bearer() });
      expect(res.status).toBe(202);
      traces[zip] = (await res.json<{ trace_id: string }>()).trace_id;
    }
    const served = (zip: string, file = 'rgb_light.png') =>
      waitFor(`${zip}/${file}`, async () => ((await fetch(`${stack.baseUrl}/${zip}/${file}`)).status === 200 ? true : undefined), 20_000, 200);
    await Promise.all([served(ZIP_OK), served(ZIP_OK, 'eink.bmp'), served(ZIP_ECHO_500_ONCE), served(ZIP_GARBAGE_ONCE)]);
    const dead = await waitFor('two dead letters recorded', async () => {
      const lines = logsNamed(stack.lines, 'dead letter recorded');
      return lines.length >= 2 ? lines : undefined;
    });
    expect(dead.map((l) => l.original_trace_id).sort()).toEqual([traces[ZIP_UNKNOWN], traces[ZIP_ECHO_400]].sort());
    const retried = logsNamed(stack.lines, 'queue message failed; retrying')
      .map((l) => l.trace_id)
      .sort();
    expect(retried).toEqual([traces[ZIP_ECHO_500_ONCE], traces[ZIP_GARBAGE_ONCE]].sort());
    // The key really went to the weather API (and the stub only answers it).
    expect(router.requests.filter((r) => r.query.appid === OWM_KEY).length).toBeGreaterThanOrEqual(8);
    // Spans of all of it reached the receiver.
    await receiver.waitForSpans((spans) => Object.values(traces).every((t) => spans.some((s) => s.traceId === t && s.name === 'process fetch-jobs')), 15_000);
  });
});

// ---------------------------------------------------------------------------
// Admin auth fuzzing

describe('admin auth fuzzing', () => {
  const tokenVariants = (): Array<[string, Record<string, string>, string?]> => {
    const t = stack.token;
    return [
      ['no Authorization header', {}],
      ['wrong token', { authorization: 'Bearer wrong-token' }],
      ['truncated token', { authorization: `Bearer ${t.slice(0, -1)}` }],
      ['padded token', { authorization: `Bearer ${t}x` }],
      ['token with a prefix', { authorization: `Bearer x${t}` }],
      ['upper-cased token', { authorization: `Bearer ${t.toUpperCase()}` }],
      // (The scheme is case-insensitive and may be followed by several spaces, RFC 9110 11.4: `bearer <token>` is admitted.)
      ['lower-case scheme with a wrong token', { authorization: `bearer wrong-token` }],
      ['tab after Bearer', { authorization: `Bearer\t${t}` }],
      ['quoted token', { authorization: `Bearer "${t}"` }],
      ['empty Authorization header', { authorization: '' }],
      ['"Bearer" without a token', { authorization: 'Bearer' }],
      ['Basic with the token as password', { authorization: `Basic ${NodeBuffer.from(`admin:${t}`).toString('base64')}` }],
      ['Token scheme', { authorization: `Token ${t}` }],
      ['bare token, no scheme', { authorization: t }],
      ['token twice', { authorization: `Bearer ${t}, Bearer ${t}` }],
      ['very long token (8 KB)', { authorization: `Bearer ${'a'.repeat(8192)}` }],
      ['token in X-Admin-Token', { 'x-admin-token': t }],
      ['token in a cookie', { cookie: `token=${t}; admin_token=${t}; session=${t}` }],
      ['token in the query string', {}, `token=${t}&access_token=${t}&admin_token=${t}`],
    ];
  };

  const ROUTES: Array<[string, string]> = [
    ['GET', '/admin/status'],
    ['GET', '/admin/dlq'],
    ['GET', `/admin/formats?zip=${ZIP_OK}`],
    ['GET', '/admin/runs/0123456789abcdef0123456789abcdef'],
    ['POST', '/admin/generate?zip=94103'],
    ['POST', '/admin/activate?zip=94103'],
    ['POST', `/admin/deactivate?zip=${ZIP_OK}`],
    ['POST', '/admin/formats/add?zip=94103&format=bw'],
    ['POST', `/admin/formats/remove?zip=${ZIP_OK}&format=eink`],
    ['POST', '/admin/dlq/replay?id=__DLQ_ID__'],
  ];

  const PATH_TRICKS = [
    '/x/admin/status',
    '//admin/status',
    '/admin/../admin/status',
    '/admin/%2e%2e/admin/status',
    '/%61dmin/status',
    '/admin%2Fstatus',
    '/ADMIN/status',
    '/admin/status/',
    '/admin;/status',
    '/admin/./status',
    '/admin/status;x',
    '/./admin/status',
    '//admin/generate?zip=94103',
    '/admin/../admin/generate?zip=94103',
    '/%61dmin/activate?zip=94103',
    '/admin/./formats/add?zip=94103&format=bwi',
    '/ADMIN/generate?zip=94103',
  ];

  /** What an answer with admin data would contain; an error answer contains none of it. */
  function adminDataIn(body: string): string[] {
    const markers = ['"zips"', '"active_zips"', '"dead_letters"', '"available_formats"', '"trace_id"', '"run_id"', '"formats"', stack.token];
    return markers.filter((m) => body.includes(m));
  }

  it('never answers 2xx, admin data or a state change to a bad token or a path trick', async () => {
    const statusBefore = await adminGet('/admin/status');
    const dlqBefore = (await adminGet('/admin/dlq')) as { count: number; dead_letters: Array<{ id: string }> };
    expect(dlqBefore.count).toBeGreaterThan(0); // a replay with bad auth must not consume it
    const dlqId = encodeURIComponent(dlqBefore.dead_letters[0].id);
    const runsBefore = logsNamed(stack.lines, 'run started').length;
    const requestsBefore = router.requests.length;

    const answers: Array<{ what: string; status: number; leaked: string[] }> = [];
    const from = attacker();
    for (const [name, headers, query] of tokenVariants()) {
      for (const [method, route] of ROUTES) {
        const path = route.replace('__DLQ_ID__', dlqId);
        const full = query ? `${path}${path.includes('?') ? '&' : '?'}${query}` : path;
        const res = await rawRequest(method, full, { ...headers, ...from });
        answers.push({ what: `${name}: ${method} ${path}`, status: res.status, leaked: adminDataIn(res.body) });
      }
    }
    for (const path of PATH_TRICKS) {
      for (const [name, headers] of [
        ['no auth', {}],
        ['wrong token', { authorization: 'Bearer wrong-token' }],
      ] as const) {
        for (const method of ['GET', 'POST']) {
          const res = await rawRequest(method, path, { ...headers, ...from });
          answers.push({ what: `${name}: ${method} ${path}`, status: res.status, leaked: adminDataIn(res.body) });
        }
      }
    }
    expect(answers.length).toBeGreaterThan(250);
    expect(answers.filter((a) => (a.status >= 200 && a.status < 300) || a.leaked.length > 0)).toEqual([]);
    // Every answer is a refusal, not a crash.
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);

    // No state changed: same status, same dead letters, no run started, the weather API not called.
    expect(await adminGet('/admin/status')).toEqual(statusBefore);
    expect(await adminGet('/admin/dlq')).toEqual(dlqBefore);
    expect(logsNamed(stack.lines, 'run started').length).toBe(runsBefore);
    expect(router.requests.length).toBe(requestsBefore);
  });

  it('the right token still works on the exact path (so the test above can fail)', async () => {
    const res = await rawRequest('GET', '/admin/status', bearer());
    expect(res.status).toBe(200);
    expect(res.body).toContain('"zips"');
  });
});

// ---------------------------------------------------------------------------
// Admin HTTP hygiene

describe('admin HTTP hygiene under wrangler dev', () => {
  it('a wrong method answers 405 with Allow; a lowercase bearer scheme is accepted; a cross-origin JSON write is refused', async () => {
    const wrong = await fetch(`${stack.baseUrl}/admin/generate?zip=${ZIP_OK}`, { headers: bearer() });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await fetch(`${stack.baseUrl}/admin/status`, { headers: { authorization: `bearer ${stack.token}` } })).status).toBe(200);
    const cross = await fetch(`${stack.baseUrl}/admin/activate?zip=${ZIP_OK}`, {
      method: 'POST',
      headers: { ...bearer(), 'content-type': 'application/json', origin: 'https://evil.example' },
      body: '{}',
    });
    expect(cross.status).toBe(403);
  });

  it('login attempts are rate-limited by the local Rate Limiting binding: 429 with Retry-After', async () => {
    const from = attacker();
    const statuses: number[] = [];
    let limited: Response | undefined;
    // 10 per 60 s window; the window may roll over once while we count, so allow up to two windows.
    for (let attempt = 0; attempt < 25 && !limited; attempt++) {
      const res = await fetch(`${stack.baseUrl}/admin/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: stack.baseUrl, 'sec-fetch-site': 'same-origin', ...from },
        body: new URLSearchParams({ token: 'a-wrong-guess' }),
        redirect: 'manual',
      });
      await res.arrayBuffer();
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(limited, `statuses: ${statuses.join(',')}`).toBeDefined();
    expect(statuses.indexOf(429)).toBeGreaterThanOrEqual(10);
    expect(limited!.headers.get('retry-after')).toBe('60');

    // Issue 19, item 10: with the login limit answering 429, 200 bearer guesses from the same client,
    // all at once, get 429 (not 401); so does the right token from there. The admin elsewhere gets in.
    const guesses = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const res = await fetch(`${stack.baseUrl}/admin/status`, { headers: { authorization: `Bearer guess-${i}`, ...from } });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(new Set(guesses)).toEqual(new Set([429]));
    expect((await fetch(`${stack.baseUrl}/admin/status`, { headers: { ...bearer(), ...from } })).status).toBe(429);
    expect((await fetch(`${stack.baseUrl}/admin/status`, { headers: bearer() })).status).toBe(200);
  });

  it('bearer guesses alone are limited too: 401, then 429', async () => {
    const from = attacker();
    const statuses: number[] = [];
    for (let i = 0; i < 25 && !statuses.includes(429); i++) {
      const res = await fetch(`${stack.baseUrl}/admin/status`, { headers: { authorization: `Bearer guess-${i}`, ...from } });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses.indexOf(429), statuses.join(',')).toBeGreaterThanOrEqual(10);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
  });

  it('logging out ends the session: the same cookie replayed afterwards gets 401', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded', origin: stack.baseUrl, 'sec-fetch-site': 'same-origin' };
    const login = await fetch(`${stack.baseUrl}/admin/login`, {
      method: 'POST',
      headers: form,
      body: new URLSearchParams({ token: stack.token }),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie = /^(wl_session=[^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1];
    expect((await fetch(`${stack.baseUrl}/admin/status`, { headers: { cookie } })).status).toBe(200);
    const logout = await fetch(`${stack.baseUrl}/admin/logout`, { method: 'POST', headers: { ...form, cookie }, redirect: 'manual' });
    expect(logout.status).toBe(303);
    expect((await fetch(`${stack.baseUrl}/admin/status`, { headers: { cookie } })).status).toBe(401);
  });

  it('a dead-letter replay id KV could not hold (150 emoji) is a 400, not a 500', async () => {
    const res = await fetch(`${stack.baseUrl}/admin/dlq/replay?id=${encodeURIComponent('\u{1F600}'.repeat(150))}`, { method: 'POST', headers: bearer() });
    expect(res.status).toBe(400);
    expect((await res.json<{ error: string }>()).error).toMatch(/^Not a dead-letter id/);
  });

  it("anonymous visitors see a failure in words, not the weather API's request or answer; the admin sees those", async () => {
    const host = new URL(router.url).host;
    const pub = await fetch(`${stack.baseUrl}/${ZIP_ECHO_400}/rgb_light.png`);
    const json = await pub.text();
    expect(pub.status).toBe(404);
    expect(JSON.parse(json)).toMatchObject({ status: 'failed', last_attempt: { reason: 'weather service unreachable or refusing' } });
    const forecasts = await (await fetch(`${stack.baseUrl}/forecasts`)).text();
    expect(forecasts).toContain(`id="zip-${ZIP_ECHO_400}"`);
    for (const text of [json, forecasts]) {
      for (const secret of [host, 'bad request for appid', MARK, OWM_KEY]) expect(text, secret).not.toContain(secret);
    }
    const status = (await adminGet('/admin/status')) as { zips: Array<{ zip: string; last_failure: { reason: string } | null }> };
    const reason = status.zips.find((z) => z.zip === ZIP_ECHO_400)!.last_failure!.reason;
    expect(reason).toContain('400');
    expect(reason).not.toBe('weather service unreachable or refusing');
  });
});

// ---------------------------------------------------------------------------
// Incoming trace context

describe('an incoming traceparent', () => {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');

  async function serverSpanOf(query: string): Promise<ReceivedSpan> {
    const spans = await receiver.waitForSpans((all) => all.some((s) => s.kind === 'SERVER' && s.attributes['url.query'] === query), 10_000);
    return spans.find((s) => s.kind === 'SERVER' && s.attributes['url.query'] === query)!;
  }

  for (const [name, method, path, headers] of [
    ['on a public image route', 'GET', `/${ZIP_OK}/rgb_light.png`, {}],
    ['on the home page', 'GET', '/', {}],
    ['on an admin route without a token', 'POST', '/admin/generate', {}],
    ['on an admin route with a wrong token', 'POST', '/admin/generate', { authorization: 'Bearer wrong-token' }],
  ] as Array<[string, string, string, Record<string, string>]>) {
    it(`${name} is not trusted: a new trace, the caller's context kept as a link`, async () => {
      const traceId = hex(32);
      const spanId = hex(16);
      const probe = `probe=${rand()}${path.startsWith('/admin') ? `&zip=${ZIP_OK}` : ''}`;
      const res = await fetch(`${stack.baseUrl}${path}?${probe}`, {
        method,
        headers: { ...headers, traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'vendor=x' },
      });
      await res.arrayBuffer();
      if (path.startsWith('/admin')) expect(res.status).toBe(401);
      const server = await serverSpanOf(probe);
      expect(server.traceId).not.toBe(traceId);
      expect(server.parentSpanId).toBeUndefined();
      expect(server.links).toContainEqual({ traceId, spanId, attributes: { 'weather_landscape.link': 'untrusted_incoming_traceparent' } });
      expect(receiver.spansOfTrace(traceId)).toEqual([]);
    });
  }

  it('on an authenticated admin request is honoured (so the tests above can fail)', async () => {
    const traceId = hex(32);
    const spanId = hex(16);
    const probe = `zip=${ZIP_OK}&probe=${rand()}`;
    // A write: the admin's own reads are not traced at all (src/web/traced-requests.ts).
    const res = await fetch(`${stack.baseUrl}/admin/activate?${probe}`, {
      method: 'POST',
      headers: { ...bearer(), traceparent: `00-${traceId}-${spanId}-01` },
    });
    expect(res.status).toBe(200);
    const server = await serverSpanOf(probe);
    expect(server.traceId).toBe(traceId);
    expect(server.parentSpanId).toBe(spanId);
  });
});

// ---------------------------------------------------------------------------
// Log forging

describe('log lines cannot be forged by input', () => {
  it('keeps newlines and quotes from paths, queries and upstream bodies inside one JSON line', async () => {
    const payload = encodeURIComponent(`"\n${FORGED_LINE}`);
    const inputs: Array<[string, string, Record<string, string>]> = [
      // A path that also fails the request (malformed query escape), so the web worker logs it.
      ['GET', `/x${payload}?%E0%A4%A`, {}],
      ['GET', `/${ZIP_OK}/rgb_light${payload}.png`, {}],
      ['GET', `/${ZIP_OK}?${payload}`, {}],
      ['POST', `/admin/generate?zip=${ZIP_OK}${payload}`, bearer()],
      ['POST', `/admin/formats/add?zip=${ZIP_OK}&format=bw${payload}`, bearer()],
      ['POST', `/admin/dlq/replay?id=${payload}`, bearer()],
    ];
    for (const [method, path, headers] of inputs) {
      const res = await fetch(`${stack.baseUrl}${path}`, { method, headers });
      await res.arrayBuffer();
    }
    // Wait for a signal, not a pause: wrangler prints one line per request once it is answered, so
    // once the line of a request made after all of the above is out, theirs (and anything the
    // worker printed while handling them) are too.
    const sentinel = `/x-sentinel-${rand()}`;
    await (await fetch(`${stack.baseUrl}${sentinel}`)).arrayBuffer();
    await waitFor('wrangler to log the sentinel request', async () =>
      stack.lines.some((l) => l.includes('[wrangler:info]') && l.includes(` ${sentinel} `)) ? true : undefined,
    );

    // No line of the stack's output IS a forged record.
    const forged = stack.lines
      .map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''))
      .filter((l) => {
        const start = l.indexOf('{');
        if (start < 0) return false;
        try {
          const value = JSON.parse(l.slice(start, l.lastIndexOf('}') + 1)) as Record<string, unknown>;
          return value.message === MARK || (typeof value.level === 'string' && !('time' in value));
        } catch {
          return false;
        }
      });
    expect(forged).toEqual([]);

    // Where the text did reach a log line (upstream bodies; a failed request's path), it is inside a string field.
    const carrying = parseLogLines(stack.lines).filter((l) => JSON.stringify(l).includes(MARK));
    const fields = carrying.map((l) => {
      const field = Object.entries(l).find(([, v]) => typeof v === 'string' && v.includes(MARK))?.[0];
      return `${l.service} ${l.message} → ${field}`;
    });
    expect(fields).toEqual(
      expect.arrayContaining([
        'weather-fetcher queue message dead-lettered → reason',
        'weather-landscape-web dead letter recorded → reason',
        'weather-fetcher queue message failed; retrying → error',
      ]),
    );
    for (const l of carrying) expect(l.message).not.toContain(MARK);
    // Raw lines carrying the text are exactly those parsed JSON lines, or wrangler's percent-encoded request lines.
    const raw = stack.lines.filter((l) => l.includes(MARK));
    expect(raw.filter((l) => !l.includes('{"time"') && !/\[wrangler:info\] (GET|POST) \S+ \d{3}/.test(l))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Redaction scan, over everything this file did

describe('redaction', () => {
  it('the OpenWeatherMap key appears in no exported span, no log line, no admin answer', async () => {
    // The last exports: a traced admin request made after everything above is exported once the
    // earlier invocations' exports are (each invocation exports when it ends).
    const sentinelTrace = `${rand()}${rand()}${rand()}${rand()}`
      .replace(/[^0-9a-f]/g, 'a')
      .slice(0, 32)
      .padEnd(32, 'a');
    // A write: the admin's own reads are not traced (src/web/traced-requests.ts).
    await (
      await fetch(`${stack.baseUrl}/admin/activate?zip=${ZIP_OK}`, {
        method: 'POST',
        headers: { ...bearer(), traceparent: `00-${sentinelTrace}-00f067aa0ba902b7-01` },
      })
    ).arrayBuffer();
    await receiver.waitForSpans((spans) => spans.some((s) => s.traceId === sentinelTrace), 15_000);
    const exported = json(receiver.spans);
    expect(receiver.spans.length).toBeGreaterThan(50);
    // The key's places were exported, redacted: request URLs (appid=) and echoed error bodies.
    expect(exported).toMatch(/appid=REDACTED/);
    expect(exported).not.toContain(OWM_KEY);
    expect(exported).not.toContain(OWM_KEY.slice(0, 20));

    // Nothing the stack printed carries it, wrangler's bindings table included (npm start passes
    // secrets through .dev.vars, which wrangler shows as "(hidden)").
    expect(stack.lines.filter((l) => l.includes(OWM_KEY))).toEqual([]);
    expect(stack.lines.some((l) => /env\.OWM_API_KEY \("\(hidden\)"\)/.test(l))).toBe(true);
    expect(parseLogLines(stack.lines).filter((l) => JSON.stringify(l).includes(OWM_KEY))).toEqual([]);
    // The workers did log the places where the key would have been.
    expect(stack.lines.some((l) => l.includes('appid=REDACTED'))).toBe(true);

    const dlq = json(await adminGet('/admin/dlq'));
    expect(dlq).toContain('REDACTED');
    expect(dlq).not.toContain(OWM_KEY);
    const runs = logsNamed(stack.lines, 'run started')
      .map((l) => String(l.run_id))
      .filter((id) => /^[0-9a-f]{32}$/.test(id));
    expect(runs.length).toBeGreaterThanOrEqual(5);
    for (const runId of runs) expect(json(await adminGet(`/admin/runs/${runId}`))).not.toContain(OWM_KEY);
    expect(json(await adminGet('/admin/status'))).not.toContain(OWM_KEY);
  });
});
