import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { parse } from 'hono/utils/cookie';
import { adminTokenProblem } from './admin-token.mjs';
import type { Env } from '../env';
import { ACCESS_JWT_HEADER, accessConfig, verifyAccessJwt } from './access-jwt';
import { AUTH_RATE_PERIOD_SECONDS, countFailedAuthentication, isClientRefused } from './auth-rate-limit';
import { csrfTokenRejection } from './csrf';
import { currentSessionSecret, isSessionRevoked, readSession, SESSION_COOKIE, type SessionSecret } from './session';
import type { WebEnv } from './web-env';

const encoder = new TextEncoder();

/**
 * Constant-time comparison with workerd's `crypto.subtle.timingSafeEqual` (the pattern
 * Cloudflare documents): on a length mismatch it still compares, against itself, so timing
 * does not reveal how much of the token matched.
 */
export function tokensMatch(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual(a: ArrayBufferView, b: ArrayBufferView): boolean };
  if (a.byteLength !== b.byteLength) {
    subtle.timingSafeEqual(b, b);
    return false;
  }
  return subtle.timingSafeEqual(a, b);
}

/** The credentials of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 9110, 11.1). */
function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer +([\x21-\x7e]+)$/i.exec(header);
  return match?.[1];
}

/**
 * The configured admin token, or undefined: then admin is disabled (never open). A token too weak to
 * resist guessing (admin-token.mjs: under 32 characters) disables admin too: the secret can
 * be set without our scripts (`wrangler secret put`, the dashboard), and the worker is what holds.
 */
export function adminToken(env: Pick<Env, 'ADMIN_TOKEN'>): string | undefined {
  return adminTokenProblem(env.ADMIN_TOKEN) ? undefined : env.ADMIN_TOKEN!.trim();
}

/** Why admin is disabled, for the 503 answers. */
export function adminDisabledReason(env: Pick<Env, 'ADMIN_TOKEN'>): string {
  return `Admin is disabled: ${adminTokenProblem(env.ADMIN_TOKEN) ?? 'no ADMIN_TOKEN is configured.'}`;
}

/** True when the request carries `Authorization: Bearer <ADMIN_TOKEN>` and a token is configured. Synchronous on purpose: the tracing hook that decides whether to trust an incoming traceparent must be. */
export function isAdminRequest(request: Request, env: Pick<Env, 'ADMIN_TOKEN'>): boolean {
  const expected = adminToken(env);
  const given = bearerToken(request);
  return !!expected && given !== undefined && tokensMatch(given, expected);
}

/** Who is calling, and how: `principal` keys the CSRF token of the two ambient (browser-attached) kinds. */
export type AdminIdentity =
  | { via: 'bearer' }
  | { via: 'session'; principal: string; expiresAt: number; secret: SessionSecret }
  | { via: 'access'; principal: string; email?: string; secret: SessionSecret };

/** Who is calling; else why not: no credentials at all, credentials that failed, or a client over the guess limit. */
export type AdminAuthentication = { ok: true; identity: AdminIdentity } | { ok: false; refusal: 'none' | 'invalid' | 'rate_limited' };

/**
 * authenticate(), with every failure counted against the client's guess limit (auth-rate-limit.ts):
 * a client over it is refused before its credentials are checked. A request without credentials
 * is no guess and is not counted.
 */
export async function authenticateAdmin(c: Context<WebEnv>): Promise<AdminAuthentication> {
  if (!adminToken(c.env) || !hasCredentials(c)) return { ok: false, refusal: 'none' };
  if (isClientRefused(c)) return { ok: false, refusal: 'rate_limited' };
  const identity = await authenticate(c);
  if (identity) return { ok: true, identity };
  return { ok: false, refusal: (await countFailedAuthentication(c)) ? 'invalid' : 'rate_limited' };
}

function hasCredentials(c: Context<WebEnv>): boolean {
  return carriesAdminCredentials(c.req.raw, c.env);
}

/**
 * Whether the request carries admin credentials of any kind (an Authorization header, a session
 * cookie, an Access JWT when Access is configured), without checking them: synchronous, for hooks
 * that run before routing (the head sampler). Not a decision to let anyone in.
 */
export function carriesAdminCredentials(request: Request, env: Pick<Env, 'ACCESS_TEAM_DOMAIN' | 'ACCESS_AUD'>): boolean {
  const headers = request.headers;
  if (headers.has('authorization')) return true;
  if (accessConfig(env) !== undefined && headers.has(ACCESS_JWT_HEADER)) return true;
  const cookies = headers.get('cookie');
  return cookies !== null && parse(cookies, SESSION_COOKIE)[SESSION_COOKIE] !== undefined;
}

/**
 * Bearer token, else session cookie, else Access JWT (when ACCESS_* are configured). A request that
 * sends an Authorization header is judged on it alone: a wrong token is not rescued by a cookie.
 */
async function authenticate(c: Context<WebEnv>): Promise<AdminIdentity | undefined> {
  const token = adminToken(c.env);
  if (!token) return undefined;
  if (c.req.header('authorization') !== undefined) return isAdminRequest(c.req.raw, c.env) ? { via: 'bearer' } : undefined;
  const cookie = getCookie(c, SESSION_COOKIE);
  const access = accessConfig(c.env);
  const jwt = c.req.header(ACCESS_JWT_HEADER);
  if (!cookie && !(access && jwt)) return undefined;
  const secret = await currentSessionSecret(c.env.CONFIG, token);
  const session = await readSession(cookie, secret);
  if (session && !(await isSessionRevoked(c.env.CONFIG, session)))
    return { via: 'session', principal: `session:${session.id}`, expiresAt: session.expiresAt, secret };
  if (access && jwt) {
    const identity = await verifyAccessJwt(jwt, access);
    if (identity) return { via: 'access', principal: `access:${identity.subject}`, email: identity.email, secret };
  }
  return undefined;
}

/**
 * Guards the admin API: 503 when no token is configured (never open), 401 unless authenticated,
 * 429 with Retry-After to a client over the guess limit, 403 for a state-changing cookie- or Access-authenticated request without its CSRF token (the
 * origin check for every admin write is sameOriginWrites, in app.ts).
 */
export function requireAdmin(): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    if (!adminToken(c.env)) return c.json({ error: adminDisabledReason(c.env) }, 503);
    const auth = await authenticateAdmin(c);
    if (!auth.ok && auth.refusal === 'rate_limited') {
      c.header('Retry-After', String(AUTH_RATE_PERIOD_SECONDS));
      return c.json({ error: 'Too many failed admin authentications from your address. Try again in a minute.' }, 429);
    }
    if (!auth.ok) {
      c.header('WWW-Authenticate', 'Bearer realm="admin"');
      return c.json({ error: 'Unauthorized: send Authorization: Bearer <ADMIN_TOKEN>, or log in at /admin.' }, 401);
    }
    const identity = auth.identity;
    if (identity.via !== 'bearer') {
      const rejection = await csrfTokenRejection(c, identity.secret, identity.principal);
      if (rejection) return rejection;
    }
    await next();
  };
}
