import type { Context, MiddlewareHandler } from 'hono';
import type { WebEnv } from './web-env';
import { csrfTokenMatches, type SessionSecret } from './session';

/**
 * Two defences against cross-site requests to /admin:
 * 1. sameOriginWrites, on every state-changing admin request whatever its content type or its
 *    credentials (bearer included): a browser's Sec-Fetch-Site / Origin must name our own origin.
 *    API clients such as curl send neither header and pass on their token alone.
 *    Why not Hono's csrf() alone: it only looks at form and text content types (the ones a
 *    cross-site form can send), so a cross-origin JSON POST would pass it. The login and logout
 *    forms keep it as well: for a form post it also refuses a request with neither header.
 * 2. csrfTokenRejection, for requests authenticated by something the browser attaches on its own
 *    (the session cookie, or Access's cookie that becomes a Cf-Access-Jwt-Assertion at the edge):
 *    Origin / Sec-Fetch-Site must be present and ours, and the per-session token in `X-CSRF-Token`,
 *    which only our own pages can read (from a meta tag), must match.
 *    Bearer requests do not need it: a browser never adds an Authorization header by itself.
 */
export const CSRF_HEADER = 'x-csrf-token';
export const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/;

/** What the browser says about where a request comes from: `unknown` when it sends neither header (curl, scripts). */
function requestOrigin(c: Context<WebEnv>): 'same' | 'cross' | 'unknown' {
  const site = c.req.header('sec-fetch-site');
  const origin = c.req.header('origin');
  if (site === undefined && origin === undefined) return 'unknown';
  if (site !== undefined && site !== 'same-origin') return 'cross';
  if (origin !== undefined && origin !== new URL(c.req.url).origin) return 'cross';
  return 'same';
}

export const sameOriginWrites: MiddlewareHandler<WebEnv> = async (c, next) => {
  if (!SAFE_METHOD.test(c.req.method) && requestOrigin(c) === 'cross') return c.json({ error: 'Forbidden: cross-site request.' }, 403);
  await next();
};

/**
 * Null when the state-changing request says it comes from our origin (a browser always sends Origin
 * on a POST) and carries this principal's CSRF token, else the 403 to answer.
 */
export async function csrfTokenRejection(c: Context<WebEnv>, secret: SessionSecret, principal: string): Promise<Response | null> {
  if (SAFE_METHOD.test(c.req.method)) return null;
  if (requestOrigin(c) !== 'same') return c.json({ error: 'Forbidden: cross-site request.' }, 403);
  if (!(await csrfTokenMatches(secret, principal, c.req.header(CSRF_HEADER)))) {
    return c.json({ error: `Forbidden: missing or invalid ${CSRF_HEADER} header.` }, 403);
  }
  return null;
}
