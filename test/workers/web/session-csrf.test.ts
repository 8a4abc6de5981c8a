import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSession, csrfToken, currentSessionSecret, readSession, SESSION_TTL_SECONDS } from '../../../src/web/session';
import { OpCounter } from '../../support/binding-ops';
import { bearer, clearKv, csrfFromPage, login, sameOrigin, send, TOKEN, webEnv } from './web-client';

beforeEach(() => clearKv(['zip:', 'admin:']));

describe('token login', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie scoped to /admin and redirects to the dashboard', async () => {
    const { response, cookie, setCookie } = await login();
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin');
    expect(cookie).toMatch(/^wl_session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/); // a JWT (jose, HS256)
    expect(setCookie).toMatch(/; Max-Age=43200/);
    expect(setCookie).toMatch(/; Path=\/admin/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    // Plain http (local development) cannot carry a Secure cookie...
    expect(setCookie).not.toMatch(/; Secure/);
    const page = await send('/admin', { headers: { cookie: cookie! } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Logged in with the admin token');
    expect(html).toMatch(/<meta name="csrf-token" content="[A-Za-z0-9_-]{43}"/);
    expect(page.headers.get('cache-control')).toBe('no-store');
  });

  it('marks the cookie Secure on https', async () => {
    const { setCookie } = await login(TOKEN, { base: 'https://weather.example' });
    expect(setCookie).toMatch(/; Secure/);
  });

  it('refuses a wrong token with the form again and no cookie', async () => {
    for (const token of ['nope', `${TOKEN}x`, TOKEN.slice(0, -1), '']) {
      const { response, setCookie } = await login(token);
      expect(response.status).toBe(401);
      expect(setCookie).toBe('');
      const html = await response.text();
      expect(html).toContain('That is not the admin token.');
      expect(html).not.toContain('csrf-token');
    }
  });

  it('refuses a login form posted from another site (login CSRF)', async () => {
    const { response, setCookie } = await login(TOKEN, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(response.status).toBe(403);
    expect(setCookie).toBe('');
    const bare = await send('/admin/login', { method: 'POST', body: new URLSearchParams({ token: TOKEN }) });
    expect(bare.status).toBe(403);
  });

  it('follows `next` only to admin pages (no open redirect)', async () => {
    const run = '/admin/run/0123456789abcdef0123456789abcdef';
    expect((await login(TOKEN, { next: run })).response.headers.get('location')).toBe(run);
    for (const next of ['//evil.example', 'https://evil.example/admin', '/admin/../x', '/adminx', '/admin/status']) {
      expect((await login(TOKEN, { next })).response.headers.get('location'), next).toBe('/admin');
    }
  });

  it('is disabled (503) without an ADMIN_TOKEN, never open', async () => {
    const e = webEnv({ ADMIN_TOKEN: undefined });
    const page = await send('/admin', {}, e);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('Admin is disabled');
    expect((await login('', { e })).response.status).toBe(503);
    expect((await login('anything', { e })).cookie).toBeUndefined();
  });

  it('is disabled (503, saying why) with an ADMIN_TOKEN too short to resist guessing, even to that token', async () => {
    const weak = 'short-admin-token-31-characters';
    expect(weak).toHaveLength(31);
    const e = webEnv({ ADMIN_TOKEN: weak });
    const api = await send('/admin/status', { headers: bearer(weak) }, e);
    expect(api.status).toBe(503);
    expect(await api.json()).toEqual({
      error: 'Admin is disabled: ADMIN_TOKEN is 31 characters; it must be at least 32 to resist guessing (e.g. `openssl rand -hex 16`).',
    });
    const page = await send('/admin', {}, e);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('ADMIN_TOKEN is 31 characters');
    const { response, cookie } = await login(weak, { e });
    expect(response.status).toBe(503);
    expect(cookie).toBeUndefined();
    // One more character and it works.
    expect((await send('/admin/status', { headers: bearer(`${weak}x`) }, webEnv({ ADMIN_TOKEN: `${weak}x` }))).status).toBe(200);
  });

  it('logs out by expiring the cookie', async () => {
    const response = await send('/admin/logout', { method: 'POST', headers: sameOrigin({ 'content-type': 'application/x-www-form-urlencoded' }) });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin');
    const cleared = response.headers.get('set-cookie') ?? '';
    expect(cleared).toMatch(/^wl_session=;/);
    expect(cleared).toMatch(/; Max-Age=0/);
    expect(cleared).toMatch(/; Path=\/admin/);
  });
});

describe('logging out', () => {
  it('ends the session on the server: the same cookie replayed afterwards is refused; other sessions go on', async () => {
    const mine = await login();
    const other = await login();
    expect((await send('/admin/status', { headers: { cookie: mine.cookie! } })).status).toBe(200);
    const loggedOutAt = Date.now();
    const out = await send('/admin/logout', {
      method: 'POST',
      headers: sameOrigin({ cookie: mine.cookie!, 'content-type': 'application/x-www-form-urlencoded' }),
    });
    expect(out.status).toBe(303);
    // The replay: a copy of the cookie the browser no longer sends.
    expect((await send('/admin/status', { headers: { cookie: mine.cookie! } })).status).toBe(401);
    expect(await (await send('/admin', { headers: { cookie: mine.cookie! } })).text()).toContain('id="token"');
    expect((await send('/admin/status', { headers: { cookie: other.cookie! } })).status).toBe(200);
    // One record, gone from KV when the session would have expired anyway.
    const { keys } = await env.CONFIG.list({ prefix: 'admin:session-revoked:' });
    expect(keys).toHaveLength(1);
    const session = await readSession(mine.cookie!.slice('wl_session='.length), await currentSessionSecret(env.CONFIG, TOKEN));
    expect(keys[0].name).toBe(`admin:session-revoked:${session!.id}`);
    expect(keys[0].expiration).toBeGreaterThanOrEqual(session!.expiresAt - 1);
    expect(keys[0].expiration! * 1000).toBeLessThanOrEqual(loggedOutAt + SESSION_TTL_SECONDS * 1000 + 1000);
  });

  it('costs one KV read per cookie-authenticated request (the revocation record), none per bearer request', async () => {
    const { cookie } = await login();
    const kvOps = async (headers: Record<string, string>) => {
      const ops = new OpCounter();
      const res = await send('/admin/runs/0123456789abcdef0123456789abcdef', { headers }, webEnv({ CONFIG: ops.wrap(env.CONFIG, 'KV CONFIG') }));
      expect(res.status).toBe(404); // past the guard: an unknown run
      return ops.counts;
    };
    const byBearer = await kvOps(bearer());
    const byCookie = await kvOps({ cookie: cookie! });
    // The session generation (before this change too) and the revocation record.
    expect(byCookie['KV CONFIG get'] - (byBearer['KV CONFIG get'] ?? 0)).toBe(2);
  });

  it('writes nothing for a forged or missing cookie', async () => {
    for (const cookie of ['wl_session=forged', '']) {
      const out = await send('/admin/logout', { method: 'POST', headers: sameOrigin({ cookie, 'content-type': 'application/x-www-form-urlencoded' }) });
      expect(out.status).toBe(303);
    }
    expect((await env.CONFIG.list({ prefix: 'admin:session-revoked:' })).keys).toEqual([]);
  });
});

describe('session cookie', () => {
  it('admits to every admin route, the JSON API included', async () => {
    const { cookie } = await login();
    const status = await send('/admin/status', { headers: { cookie: cookie! } });
    expect(status.status).toBe(200);
    expect(await status.json()).toHaveProperty('active_zips');
  });

  it('is rejected when forged, tampered with, expired, or signed under an old ADMIN_TOKEN', async () => {
    const now = Date.now();
    const secret = await currentSessionSecret(env.CONFIG, TOKEN);
    const { value, session } = await createSession(secret, now);
    const [header, payload, mac] = value.split('.');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const claims = JSON.parse(atob(payload.replaceAll('-', '+').replaceAll('_', '/'))) as Record<string, unknown>;
    const reencode = (o: unknown) => btoa(JSON.stringify(o)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
    const cases: Record<string, string> = {
      garbage: 'hello',
      'tampered id': [header, reencode({ ...claims, jti: flip(String(claims.jti)) }), mac].join('.'),
      'extended expiry': [header, reencode({ ...claims, exp: Number(claims.exp) + 3600 }), mac].join('.'),
      'tampered mac': [header, payload, flip(mac)].join('.'),
      'alg none': [reencode({ alg: 'none' }), payload, ''].join('.'),
      expired: (await createSession(secret, now - (SESSION_TTL_SECONDS + 1) * 1000)).value,
      'old ADMIN_TOKEN': (await createSession({ ...secret, adminToken: 'a-previous-token' }, now)).value,
      'old session generation': (await createSession({ ...secret, generation: 'a-previous-generation' }, now)).value,
    };
    for (const [label, forged] of Object.entries(cases)) {
      const res = await send('/admin/status', { headers: { cookie: `wl_session=${forged}` } });
      expect(res.status, label).toBe(401);
      const page = await (await send('/admin', { headers: { cookie: `wl_session=${forged}` } })).text();
      expect(page, label).toContain('id="token"');
    }
    expect(await readSession(value, secret, now)).toEqual(session);
    expect(await readSession(value, secret, (session.expiresAt + 1) * 1000)).toBeUndefined();
  });

  it('does not rescue a wrong bearer token', async () => {
    const { cookie } = await login();
    const res = await send('/admin/status', { headers: { cookie: cookie!, ...bearer('wrong') } });
    expect(res.status).toBe(401);
  });
});

describe('CSRF', () => {
  it('requires the session CSRF token and our own origin for state changes by cookie', async () => {
    const { cookie } = await login();
    const token = await csrfFromPage({ cookie: cookie! });
    const activate = (headers: Record<string, string>) => send('/admin/activate?zip=12345', { method: 'POST', headers: { cookie: cookie!, ...headers } });

    const missing = await activate(sameOrigin());
    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({ error: expect.stringMatching(/x-csrf-token/) });
    expect((await activate(sameOrigin({ 'x-csrf-token': 'A'.repeat(43) }))).status).toBe(403);
    expect((await activate({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'x-csrf-token': token })).status).toBe(403);
    expect((await activate({ 'x-csrf-token': token })).status).toBe(403); // neither Origin nor Sec-Fetch-Site
    expect(await env.CONFIG.get('zip:12345')).toBeNull();

    const ok = await activate(sameOrigin({ 'x-csrf-token': token }));
    expect(ok.status).toBe(200);
    expect(await env.CONFIG.get('zip:12345', 'json')).toMatchObject({ active: true });
  });

  it('binds the CSRF token to its session', async () => {
    const first = await login();
    const second = await login();
    const tokenOfFirst = await csrfFromPage({ cookie: first.cookie! });
    const res = await send('/admin/activate?zip=12346', {
      method: 'POST',
      headers: { cookie: second.cookie!, ...sameOrigin({ 'x-csrf-token': tokenOfFirst }) },
    });
    expect(res.status).toBe(403);
    expect(tokenOfFirst).not.toBe(await csrfToken(await currentSessionSecret(env.CONFIG, TOKEN), 'session:someone-else'));
  });

  it('lets reads through without a token, and leaves bearer clients alone', async () => {
    const { cookie } = await login();
    expect((await send('/admin/formats?zip=12345', { headers: { cookie: cookie! } })).status).toBe(200);
    // curl with the bearer token: no Origin, no CSRF token, as before.
    expect((await send('/admin/activate?zip=12347', { method: 'POST', headers: bearer() })).status).toBe(200);
  });

  it('shows the login form, and no admin data, to a browser without a session', async () => {
    await send('/admin/activate?zip=54321', { method: 'POST', headers: bearer() });
    const page = await send('/admin');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/admin/login">');
    expect(html).not.toContain('54321');
    expect(html).not.toContain('csrf-token');
    expect(html).not.toContain('admin.js');
    const api = await send('/admin/status');
    expect(api.status).toBe(401);
    expect(JSON.stringify(await api.json())).not.toContain('54321');
  });
});
