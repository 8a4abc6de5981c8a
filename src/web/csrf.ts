import type { Context } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import type { WebEnv } from './web-env';
import { csrfTokenMatches } from './session';

/**
 * CSRF defence for requests authenticated by something the browser attaches on its own (the session
 * cookie, or Access's CF_Authorization cookie that becomes a Cf-Access-Jwt-Assertion at the edge):
 * 1. Hono's csrf(): the request must come from our own origin (Sec-Fetch-Site or Origin);
 * 2. the per-session token in `X-CSRF-Token`, which only our own pages can read (from a meta tag),
 *    and which a cross-site form cannot set at all.
 * Bearer requests need neither: a browser never adds an Authorization header by itself.
 */
export const CSRF_HEADER = 'x-csrf-token';
export const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/;

const originCheck = csrf();

/** Hono's origin check as a predicate (it throws a 403 HTTPException when the origin is foreign). */
export async function sameOrigin(c: Context<WebEnv>): Promise<boolean> {
  try {
    await originCheck(c, async () => {});
    return true;
  } catch (error) {
    if (error instanceof HTTPException && error.status === 403) return false;
    throw error;
  }
}

/** Null when the state-changing request passes both checks, else the 403 to answer. */
export async function csrfRejection(c: Context<WebEnv>, adminToken: string, principal: string): Promise<Response | null> {
  if (SAFE_METHOD.test(c.req.method)) return null;
  if (!(await sameOrigin(c))) return c.json({ error: 'Forbidden: cross-site request.' }, 403);
  if (!(await csrfTokenMatches(adminToken, principal, c.req.header(CSRF_HEADER)))) {
    return c.json({ error: `Forbidden: missing or invalid ${CSRF_HEADER} header.` }, 403);
  }
  return null;
}
