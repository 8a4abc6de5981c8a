import { env } from 'cloudflare:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey as JoseKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessConfig } from '../../../src/web/access-jwt';
import { clearKv, csrfFromPage, sameOrigin, send, webEnv } from './web-client';

/**
 * Cloudflare Access: a valid `Cf-Access-Jwt-Assertion` (RS256, signed by a key of the team's JWKS,
 * our audience, the team as issuer, unexpired) admits to /admin. The team's certs endpoint is
 * answered in-isolate by a fetch spy; everything else passes through.
 */
const TEAM = 'https://weather-team.cloudflareaccess.com';
const AUD = '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2';
const KID = 'test-key-1';
const accessEnv = webEnv({ ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD });

let key: JoseKey;
let otherKey: JoseKey;
let certsFetched = 0;

beforeAll(async () => {
  // The team's JWKS publishes `pair`'s public key; `otherKey` is a stranger's.
  const pair = await generateKeyPair('RS256', { extractable: true });
  key = pair.privateKey;
  ({ privateKey: otherKey } = await generateKeyPair('RS256'));
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url === `${TEAM}/cdn-cgi/access/certs`) {
      certsFetched++;
      return Response.json({ keys: [jwk], public_cert: { kid: KID }, public_certs: [] });
    }
    return realFetch(input, init);
  });
  await clearKv(['zip:']);
});

afterAll(() => {
  vi.restoreAllMocks();
});

async function accessJwt(claims: JWTPayload = {}, options: { signWith?: JoseKey; kid?: string; expiresIn?: string | number } = {}): Promise<string> {
  return new SignJWT({ email: 'ada@example.com', type: 'app', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? KID })
    .setSubject(typeof claims.sub === 'string' ? claims.sub : 'f3c1a2b4-user')
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : TEAM)
    .setAudience(claims.aud ?? [AUD])
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '10m')
    .sign(options.signWith ?? key);
}

const withJwt = (jwt: string, extra: Record<string, string> = {}) => ({ 'cf-access-jwt-assertion': jwt, ...extra });

describe('Cloudflare Access', () => {
  it('reads its configuration only when both variables are set', () => {
    expect(accessConfig({ ACCESS_TEAM_DOMAIN: 'weather-team.cloudflareaccess.com/', ACCESS_AUD: AUD })).toEqual({ teamDomain: TEAM, audience: AUD });
    expect(accessConfig({ ACCESS_TEAM_DOMAIN: TEAM })).toBeUndefined();
    expect(accessConfig({ ACCESS_AUD: AUD })).toBeUndefined();
  });

  it('admits a valid Access JWT to the JSON API and the dashboard', async () => {
    const jwt = await accessJwt();
    const status = await send('/admin/status', { headers: withJwt(jwt) }, accessEnv);
    expect(status.status).toBe(200);
    expect(await status.json()).toHaveProperty('active_zips');
    const page = await send('/admin', { headers: withJwt(jwt) }, accessEnv);
    expect(await page.text()).toContain('Signed in with Cloudflare Access as ada@example.com');
    expect(certsFetched).toBeGreaterThan(0);
  });

  it.each([
    ['a different audience', () => accessJwt({ aud: ['someone-elses-app'] })],
    ['a different issuer', () => accessJwt({ iss: 'https://evil.cloudflareaccess.com' })],
    ['an expired token', () => accessJwt({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
    ['a token signed by another key under our kid', () => accessJwt({}, { signWith: otherKey })],
    ['a token with an unknown kid', () => accessJwt({}, { signWith: otherKey, kid: 'unknown' })],
    ['no subject', () => accessJwt({ sub: '' })],
    ['an unsigned token', async () => `${btoa('{"alg":"none"}')}.${btoa(JSON.stringify({ iss: TEAM, aud: [AUD], sub: 'x', exp: 9e9 }))}.`],
    ['garbage', async () => 'not-a-jwt'],
  ])('refuses %s', async (_label, make) => {
    const res = await send('/admin/status', { headers: withJwt(await make()) }, accessEnv);
    expect(res.status).toBe(401);
    const page = await (await send('/admin', { headers: withJwt(await make()) }, accessEnv)).text();
    expect(page).toContain('id="token"');
  });

  it('ignores the header when Access is not configured', async () => {
    const jwt = await accessJwt();
    expect((await send('/admin/status', { headers: withJwt(jwt) }, webEnv())).status).toBe(401);
    expect((await send('/admin/status', { headers: withJwt(jwt) }, webEnv({ ACCESS_TEAM_DOMAIN: TEAM }))).status).toBe(401);
  });

  it('protects state changes by Access like a session: CSRF token and our own origin', async () => {
    const jwt = await accessJwt();
    const token = await csrfFromPage(withJwt(jwt), accessEnv);
    const activate = (headers: Record<string, string>) => send('/admin/activate?zip=24680', { method: 'POST', headers: withJwt(jwt, headers) }, accessEnv);
    expect((await activate(sameOrigin())).status).toBe(403);
    expect((await activate({ origin: 'https://evil.example', 'x-csrf-token': token })).status).toBe(403);
    expect(await env.CONFIG.get('zip:24680')).toBeNull();
    expect((await activate(sameOrigin({ 'x-csrf-token': token }))).status).toBe(200);
    expect(await env.CONFIG.get('zip:24680', 'json')).toMatchObject({ active: true });
    // Tokens are per user: another Access user cannot use this one.
    const other = await accessJwt({ sub: 'another-user' });
    const res = await send('/admin/activate?zip=24681', { method: 'POST', headers: withJwt(other, sameOrigin({ 'x-csrf-token': token })) }, accessEnv);
    expect(res.status).toBe(403);
  });
});
