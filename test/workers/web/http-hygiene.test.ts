import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { bearer, clearKv, clientIp, csrfFromPage, login, ORIGIN, sameOrigin, send, TOKEN, webEnv } from './web-client';

/** HTTP hygiene of every admin route: methods, the auth scheme, login rate limit, revocable sessions, cross-origin writes. */

beforeEach(() => clearKv(['zip:', 'formats:', 'admin:']));

// Every admin route and the methods it serves (GET routes also answer HEAD).
const ADMIN_ROUTES: Array<[path: string, allow: string]> = [
  ['/admin', 'GET, HEAD'],
  ['/admin/login', 'POST'],
  ['/admin/logout', 'POST'],
  ['/admin/run/0123456789abcdef0123456789abcdef', 'GET, HEAD'],
  ['/admin/generate?zip=78729', 'POST'],
  ['/admin/runs/0123456789abcdef0123456789abcdef', 'GET, HEAD'],
  ['/admin/activate?zip=78729', 'POST'],
  ['/admin/deactivate?zip=78729', 'POST'],
  ['/admin/formats?zip=78729', 'GET, HEAD'],
  ['/admin/formats/add?zip=78729&format=bw', 'POST'],
  ['/admin/formats/remove?zip=78729&format=bw', 'POST'],
  ['/admin/status', 'GET, HEAD'],
  ['/admin/dlq', 'GET, HEAD'],
  ['/admin/dlq/replay?id=x', 'POST'],
  ['/admin/sessions/revoke', 'POST'],
];

describe('a wrong method on an admin route', () => {
  it.each(ADMIN_ROUTES)('%s answers 405 with Allow: %s', async (path, allow) => {
    const allowed = allow.split(', ');
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].filter((m) => !allowed.includes(m))) {
      const res = await send(path, { method, headers: bearer() });
      expect({ method, status: res.status }).toEqual({ method, status: 405 });
      expect(res.headers.get('allow')).toBe(allow);
      expect(await res.json()).toEqual({ error: expect.stringContaining(`Method ${method} is not allowed`) });
    }
  });

  it('never reaches the image route (GET /admin/generate used to answer 400 "Invalid ZIP code")', async () => {
    const res = await send('/admin/generate', { headers: bearer() });
    expect(res.status).toBe(405);
    expect(JSON.stringify(await res.json())).not.toContain('ZIP');
  });

  it('is still 401 without credentials on the API (nothing about the route is answered first)', async () => {
    expect((await send('/admin/generate')).status).toBe(401);
  });
});

describe('the Authorization scheme', () => {
  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('accepts "%s <token>"', async (scheme) => {
    const res = await send('/admin/status', { headers: { authorization: `${scheme} ${TOKEN}` } });
    expect(res.status).toBe(200);
  });

  it.each([`bearer ${TOKEN}x`, `bearer`, `Basic ${btoa(`admin:${TOKEN}`)}`, `bearer${TOKEN}`, `bearer ${TOKEN.toUpperCase()}`])(
    'still refuses %s',
    async (authorization) => {
      expect((await send('/admin/status', { headers: { authorization } })).status).toBe(401);
    },
  );
});

describe('login attempts', () => {
  it('are limited per client IP by the rate limiting binding: 429 with Retry-After', async () => {
    const ip = clientIp();
    const statuses: number[] = [];
    let limited: Response | undefined;
    // 10 per 60 s window; the window may roll over once while we count, so allow up to two windows.
    for (let attempt = 0; attempt < 25 && !limited; attempt++) {
      const { response } = await login('a-wrong-guess', { headers: { 'cf-connecting-ip': ip } });
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(limited, `statuses: ${statuses.join(',')}`).toBeDefined();
    expect(statuses.indexOf(429)).toBeGreaterThanOrEqual(10);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(limited!.headers.get('retry-after')).toBe('60');
    expect(await limited!.text()).toContain('Too many failed attempts');
    // Even the right token is refused while limited: no session for a brute-forcer who guessed it.
    const right = await login(TOKEN, { headers: { 'cf-connecting-ip': ip } });
    expect(right.response.status).toBe(429);
    expect(await right.response.text()).toContain('Too many failed attempts');
    expect(right.cookie).toBeUndefined();
    // Another client is not affected.
    expect((await login(TOKEN, { headers: { 'cf-connecting-ip': clientIp() } })).response.status).toBe(303);
  });
});

describe('failed admin authentications', () => {
  /** Sends `attempt` from one client until it answers 429 (at most two 10-per-60 s windows); the statuses seen. */
  async function untilLimited(attempt: (ip: string) => Promise<Response>, ip: string): Promise<{ statuses: number[]; limited?: Response }> {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await attempt(ip);
      statuses.push(res.status);
      if (res.status === 429) return { statuses, limited: res };
      await res.arrayBuffer();
    }
    return { statuses };
  }
  const status = (ip: string, headers: Record<string, string>, e?: Parameters<typeof send>[2]) =>
    send('/admin/status', { headers: { 'cf-connecting-ip': ip, ...headers } }, e);

  it('wrong bearer tokens count against the client: 401 ten times, then 429 with Retry-After, even for the right token', async () => {
    const ip = clientIp();
    const { statuses, limited } = await untilLimited((client) => status(client, bearer(`guess-${Math.random()}`)), ip);
    expect(limited, `statuses: ${statuses.join(',')}`).toBeDefined();
    expect(statuses.indexOf(429)).toBeGreaterThanOrEqual(10);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(limited!.headers.get('retry-after')).toBe('60');
    expect(await limited!.json()).toEqual({ error: 'Too many failed admin authentications from your address. Try again in a minute.' });
    // Refused unchecked while limited: otherwise a right guess would stand out (200) among the 429s.
    expect((await status(ip, bearer())).status).toBe(429);
    const page = await send('/admin', { headers: { 'cf-connecting-ip': ip, ...bearer() } });
    expect(page.status).toBe(429);
    expect(await page.text()).toContain('Too many failed attempts');
    // The admin elsewhere is not affected.
    expect((await status(clientIp(), bearer())).status).toBe(200);
  });

  it('forged session cookies and Access JWTs count too, and so does the login form: one budget per client', async () => {
    const forged = await untilLimited((ip) => status(ip, { cookie: `wl_session=forged-${Math.random()}` }), clientIp());
    expect(forged.limited, `statuses: ${forged.statuses.join(',')}`).toBeDefined();
    const accessEnv = webEnv({ ACCESS_TEAM_DOMAIN: 'https://team.cloudflareaccess.com', ACCESS_AUD: 'a'.repeat(64) });
    const jwts = await untilLimited((ip) => status(ip, { 'cf-access-jwt-assertion': 'not.a.jwt' }, accessEnv), clientIp());
    expect(jwts.limited, `statuses: ${jwts.statuses.join(',')}`).toBeDefined();
    // The issue's attacker: the login form already answers 429, and a bearer guess from the same client gets 429 too.
    const ip = clientIp();
    const logins = await untilLimited(async (client) => (await login('a-wrong-guess', { headers: { 'cf-connecting-ip': client } })).response, ip);
    expect(logins.limited).toBeDefined();
    expect((await status(ip, bearer('guess-1'))).status).toBe(429);
  });

  it('right credentials and requests without credentials are not counted', async () => {
    const ip = clientIp();
    for (let i = 0; i < 15; i++) {
      expect((await status(ip, bearer())).status).toBe(200);
      expect((await status(ip, {})).status).toBe(401);
    }
    expect((await status(ip, bearer('one-wrong-guess'))).status).toBe(401);
  });
});

describe('sessions are revocable', () => {
  it('"log out everywhere" ends every session (and its CSRF token); a new login works', async () => {
    const first = await login();
    const second = await login();
    const csrf = await csrfFromPage({ cookie: first.cookie! });
    const revoke = await send('/admin/sessions/revoke', { method: 'POST', headers: { cookie: first.cookie!, ...sameOrigin({ 'x-csrf-token': csrf }) } });
    expect(revoke.status).toBe(200);
    for (const cookie of [first.cookie!, second.cookie!]) {
      expect((await send('/admin/status', { headers: { cookie } })).status).toBe(401);
      expect(await (await send('/admin', { headers: { cookie } })).text()).toContain('id="token"');
    }
    const again = await login();
    expect((await send('/admin/status', { headers: { cookie: again.cookie! } })).status).toBe(200);
    // Bearer clients are not sessions: unaffected.
    expect((await send('/admin/status', { headers: bearer() })).status).toBe(200);
  });

  it('a bearer client can revoke too, and a revocation needs credentials', async () => {
    const { cookie } = await login();
    expect((await send('/admin/sessions/revoke', { method: 'POST' })).status).toBe(401);
    expect((await send('/admin/status', { headers: { cookie: cookie! } })).status).toBe(200);
    expect((await send('/admin/sessions/revoke', { method: 'POST', headers: bearer() })).status).toBe(200);
    expect((await send('/admin/status', { headers: { cookie: cookie! } })).status).toBe(401);
  });

  it('rotating ADMIN_TOKEN ends every session', async () => {
    const { cookie } = await login();
    expect((await send('/admin/status', { headers: { cookie: cookie! } })).status).toBe(200);
    const rotated = webEnv({ ADMIN_TOKEN: 'a-new-admin-token-0123456789abcdef' });
    expect((await send('/admin/status', { headers: { cookie: cookie! } }, rotated)).status).toBe(401);
  });
});

describe('cross-origin writes', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['Origin of another site', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    ['Origin: null', { origin: 'null' }],
    ['our Origin but Sec-Fetch-Site: cross-site', { origin: ORIGIN, 'sec-fetch-site': 'cross-site' }],
  ];

  it.each(cases)('a JSON POST with the bearer token and %s is refused (403), and changes nothing', async (_, headers) => {
    const res = await send('/admin/activate?zip=12345', {
      method: 'POST',
      headers: { ...bearer(), 'content-type': 'application/json', ...headers },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'Forbidden: cross-site request.' });
    expect(await env.CONFIG.get('zip:12345')).toBeNull();
  });

  it('a JSON POST from a cross-origin page with a session cookie and its CSRF token is refused too', async () => {
    const { cookie } = await login();
    const csrf = await csrfFromPage({ cookie: cookie! });
    const res = await send('/admin/activate?zip=12345', {
      method: 'POST',
      headers: { cookie: cookie!, 'x-csrf-token': csrf, 'content-type': 'application/json', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(await env.CONFIG.get('zip:12345')).toBeNull();
  });

  it('API clients without Origin or Sec-Fetch-Site (curl) and same-origin pages still work', async () => {
    const curl = await send('/admin/activate?zip=12345', { method: 'POST', headers: { ...bearer(), 'content-type': 'application/json' }, body: '{}' });
    expect(curl.status).toBe(200);
    const page = await send('/admin/activate?zip=12346', {
      method: 'POST',
      headers: { ...bearer(), ...sameOrigin({ 'content-type': 'application/json' }) },
      body: '{}',
    });
    expect(page.status).toBe(200);
    // Reads are not writes: a cross-site GET is answered (the token still decides).
    expect((await send('/admin/status', { headers: { ...bearer(), 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
  });
});
