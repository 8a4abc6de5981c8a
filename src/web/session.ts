import { base64url, jwtVerify, SignJWT } from 'jose';

/**
 * Browser admin sessions without server-side session records: the cookie is a JWT (HS256, through
 * `jose`) holding the session id and its expiry, signed with a key derived from ADMIN_TOKEN and the
 * deployment's session generation (a random value in KV, `admin:session-generation`). So:
 * - rotating ADMIN_TOKEN ends every session (there is no second secret to provision);
 * - "log out everywhere" (POST /admin/sessions/revoke) writes a new generation, which ends every
 *   session at once (KV is eventually consistent: other locations see it within about a minute);
 * - the expiry is inside the signed value, so a client cannot extend it;
 * - "Log out" ends its one session on the server too: a revocation record `admin:session-revoked:<id>`
 *   (the cookie's `jti`) that KV deletes when the session would have expired anyway. Checking it
 *   costs one KV read per cookie-authenticated request (bearer and Access requests read nothing
 *   more); the record is visible at once where it was written, elsewhere within about a minute.
 *
 * CSRF tokens are HMACs of the principal (`session:<id>` or `access:<subject>`) under the same key:
 * bound to one session, nothing to store, useless to anyone who cannot read our pages, and
 * revoked with the sessions.
 */
export const SESSION_COOKIE = 'wl_session';
/** Long enough for a working day at the dashboard, short enough that a forgotten laptop expires. */
export const SESSION_TTL_SECONDS = 12 * 3600;
/** Only /admin needs it: the public pages never see the cookie. */
export const SESSION_COOKIE_PATH = '/admin';
const SESSION_GENERATION_KEY = 'admin:session-generation';
const REVOKED_SESSION_PREFIX = 'admin:session-revoked:';
/** KV's smallest expirationTtl. */
const KV_MIN_TTL_SECONDS = 60;
/** The generation before anyone has revoked: a constant, so a fresh deployment needs no KV write. */
const INITIAL_GENERATION = 'initial';
const AUDIENCE = 'weather-landscape/admin-session';

const encoder = new TextEncoder();

export interface Session {
  id: string;
  /** Unix seconds. */
  expiresAt: number;
}

/** What signs sessions and CSRF tokens: ADMIN_TOKEN plus the current generation. */
export interface SessionSecret {
  adminToken: string;
  generation: string;
}

export async function currentSessionSecret(kv: KVNamespace, adminToken: string): Promise<SessionSecret> {
  return { adminToken, generation: (await kv.get(SESSION_GENERATION_KEY)) ?? INITIAL_GENERATION };
}

/** Ends every session and CSRF token: a new random generation (no read-modify-write, so concurrent revocations agree). */
export async function revokeAllSessions(kv: KVNamespace): Promise<void> {
  await kv.put(SESSION_GENERATION_KEY, crypto.randomUUID());
}

/** Ends one session (log out): one KV write, kept only as long as the session could still be used. */
export async function revokeSession(kv: KVNamespace, session: Session, nowMs = Date.now()): Promise<void> {
  const remaining = session.expiresAt - Math.floor(nowMs / 1000);
  if (remaining <= 0) return;
  await kv.put(`${REVOKED_SESSION_PREFIX}${session.id}`, '1', { expirationTtl: Math.max(KV_MIN_TTL_SECONDS, remaining) });
}

export async function isSessionRevoked(kv: KVNamespace, session: Session): Promise<boolean> {
  return (await kv.get(`${REVOKED_SESSION_PREFIX}${session.id}`)) !== null;
}

let cached: { id: string; key: Promise<CryptoKey> } | undefined;

/** HMAC key = HMAC(ADMIN_TOKEN, purpose label + generation), so the token itself never signs anything. */
function signingKey(secret: SessionSecret): Promise<CryptoKey> {
  const id = `${secret.generation}\n${secret.adminToken}`;
  if (cached?.id !== id) {
    const key = (async () => {
      const root = await crypto.subtle.importKey('raw', encoder.encode(secret.adminToken), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const derived = await crypto.subtle.sign('HMAC', root, encoder.encode(`weather-landscape/admin-session/v2|${secret.generation}`));
      return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    })();
    cached = { id, key };
  }
  return cached.key;
}

export async function createSession(secret: SessionSecret, nowMs = Date.now()): Promise<{ value: string; session: Session }> {
  const id = base64url.encode(crypto.getRandomValues(new Uint8Array(16)));
  const issuedAt = Math.floor(nowMs / 1000);
  const expiresAt = issuedAt + SESSION_TTL_SECONDS;
  const value = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setJti(id)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(await signingKey(secret));
  return { value, session: { id, expiresAt } };
}

/** The session a cookie value stands for, or undefined when it is malformed, forged, revoked or expired. */
export async function readSession(value: string | undefined, secret: SessionSecret, nowMs = Date.now()): Promise<Session | undefined> {
  if (!value || value.length > 1024) return undefined;
  try {
    const { payload } = await jwtVerify(value, await signingKey(secret), {
      algorithms: ['HS256'],
      audience: AUDIENCE,
      requiredClaims: ['jti', 'exp'],
      currentDate: new Date(nowMs),
    });
    return { id: payload.jti!, expiresAt: payload.exp! };
  } catch {
    return undefined;
  }
}

export async function csrfToken(secret: SessionSecret, principal: string): Promise<string> {
  const signature = await crypto.subtle.sign('HMAC', await signingKey(secret), encoder.encode(`csrf|v1|${principal}`));
  return base64url.encode(new Uint8Array(signature));
}

/** crypto.subtle.verify compares in constant time. */
export async function csrfTokenMatches(secret: SessionSecret, principal: string, given: string | undefined): Promise<boolean> {
  if (!given) return false;
  let signature: Uint8Array;
  try {
    signature = base64url.decode(given);
  } catch {
    return false;
  }
  if (signature.byteLength !== 32) return false;
  return crypto.subtle.verify('HMAC', await signingKey(secret), signature, encoder.encode(`csrf|v1|${principal}`));
}
