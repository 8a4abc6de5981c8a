/**
 * Browser admin sessions without server-side storage: the cookie value is
 * `v1.<session id>.<expires, unix seconds>.<HMAC-SHA256>`, signed with a key derived from ADMIN_TOKEN.
 * Why derived from the token: rotating ADMIN_TOKEN logs every browser out, and there is no second
 * secret to provision. The expiry lives inside the signed value, so a client cannot extend it.
 *
 * CSRF tokens are HMACs of the principal (`session:<id>` or `access:<subject>`) under the same key:
 * bound to one session, nothing to store, and useless to anyone who cannot read our pages.
 */
export const SESSION_COOKIE = 'wl_session';
/** Long enough for a working day at the dashboard, short enough that a forgotten laptop expires. */
export const SESSION_TTL_SECONDS = 12 * 3600;
/** Only /admin needs it: the public pages never see the cookie. */
export const SESSION_COOKIE_PATH = '/admin';

const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

export interface Session {
  id: string;
  /** Unix seconds. */
  expiresAt: number;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** HMAC key for sessions and CSRF tokens: HMAC(ADMIN_TOKEN, purpose label), so the token itself never signs anything. */
function signingKey(adminToken: string): Promise<CryptoKey> {
  let key = keyCache.get(adminToken);
  if (!key) {
    key = (async () => {
      const root = await crypto.subtle.importKey('raw', encoder.encode(adminToken), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const derived = await crypto.subtle.sign('HMAC', root, encoder.encode('weather-landscape/admin-session/v1'));
      return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    })();
    keyCache.set(adminToken, key);
  }
  return key;
}

async function mac(adminToken: string, message: string): Promise<string> {
  const signature = await crypto.subtle.sign('HMAC', await signingKey(adminToken), encoder.encode(message));
  return toBase64Url(new Uint8Array(signature));
}

/** crypto.subtle.verify compares in constant time. */
async function macMatches(adminToken: string, message: string, given: string): Promise<boolean> {
  const signature = fromBase64Url(given);
  if (!signature || signature.byteLength !== 32) return false;
  return crypto.subtle.verify('HMAC', await signingKey(adminToken), signature, encoder.encode(message));
}

const payload = (id: string, expiresAt: number) => `session|v1|${id}|${expiresAt}`;

export async function createSession(adminToken: string, nowMs = Date.now()): Promise<{ value: string; session: Session }> {
  const id = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const expiresAt = Math.floor(nowMs / 1000) + SESSION_TTL_SECONDS;
  return { value: `v1.${id}.${expiresAt}.${await mac(adminToken, payload(id, expiresAt))}`, session: { id, expiresAt } };
}

/** The session a cookie value stands for, or undefined when it is malformed, forged, or expired. */
export async function readSession(value: string | undefined, adminToken: string, nowMs = Date.now()): Promise<Session | undefined> {
  const match = /^v1\.([A-Za-z0-9_-]{22})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!match) return undefined;
  const [, id, expires, signature] = match;
  const expiresAt = Number(expires);
  if (!(await macMatches(adminToken, payload(id, expiresAt), signature))) return undefined;
  if (expiresAt * 1000 <= nowMs) return undefined;
  return { id, expiresAt };
}

export function csrfToken(adminToken: string, principal: string): Promise<string> {
  return mac(adminToken, `csrf|v1|${principal}`);
}

export function csrfTokenMatches(adminToken: string, principal: string, given: string | undefined): Promise<boolean> {
  return given ? macMatches(adminToken, `csrf|v1|${principal}`, given) : Promise.resolve(false);
}
