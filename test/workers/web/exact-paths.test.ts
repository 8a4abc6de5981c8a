import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, clearKv, csrfFromPage, login, sameOrigin, send } from './web-client';

/**
 * Only the exact paths /admin and /admin/... reach admin code. Each request below carries a VALID
 * bearer token and session cookie: had it reached admin code, it would have succeeded (200 with
 * admin data, or a change in KV). Not reaching it means the public routes answer instead.
 */
let credentials: Record<string, string>;

beforeAll(async () => {
  await clearKv(['zip:']);
  await send('/admin/activate?zip=78729', { method: 'POST', headers: bearer() });
  const { cookie } = await login();
  credentials = { ...bearer(), cookie: cookie! };
});

const LOOKALIKES = [
  '/x/admin',
  '/x/admin/status',
  '/78729/admin',
  '//admin',
  '//admin/status',
  '/%61dmin',
  '/%61dmin/status',
  '/%2561dmin/status',
  '/admin%2Fstatus',
  '/admin%2fstatus',
  '/%2Fadmin/status',
  '/ADMIN',
  '/ADMIN/status',
  '/Admin/status',
  '/admin%20',
  '/admin.',
  '/admin;/status',
  '/admin/status/',
  '/admin/',
];

describe('exact-path routing', () => {
  it.each(LOOKALIKES)('GET %s never reaches admin code', async (path) => {
    const res = await send(path, { headers: credentials });
    expect(res.status, path).not.toBe(200);
    const body = await res.text();
    expect(body).not.toMatch(/active_zips|78729|Generate now|id="token"/);
  });

  it.each(LOOKALIKES.filter((p) => p.endsWith('status')).map((p) => p.replace(/status$/, 'activate?zip=11111')))('POST %s changes nothing', async (path) => {
    const token = await csrfFromPage({ cookie: credentials.cookie });
    const res = await send(path, { method: 'POST', headers: { ...credentials, ...sameOrigin({ 'x-csrf-token': token }) } });
    expect(res.status, path).not.toBe(200);
    expect(await env.CONFIG.get('zip:11111')).toBeNull();
  });

  it('sees /admin/../admin as /admin: the URL parser resolves dot segments before routing', async () => {
    const plain = await send('/x/../admin/status');
    expect(plain.status).toBe(401); // the admin guard, as for /admin/status itself
    const page = await send('/admin/../admin');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="token"'); // the login form, no data
    expect(html).not.toContain('78729');
  });

  it('still serves the real admin paths to the same credentials (the test above can fail)', async () => {
    expect((await send('/admin/status', { headers: credentials })).status).toBe(200);
    expect(await (await send('/admin', { headers: { cookie: credentials.cookie } })).text()).toContain('Generate now');
  });
});
