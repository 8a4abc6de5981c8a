import type { MiddlewareHandler } from 'hono';
import type { Env } from '../env';

const encoder = new TextEncoder();

/**
 * Constant-time comparison with workerd's `crypto.subtle.timingSafeEqual` (the pattern
 * Cloudflare documents): on a length mismatch it still compares, against itself, so timing
 * does not reveal how much of the token matched.
 */
function tokensMatch(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual(a: ArrayBufferView, b: ArrayBufferView): boolean };
  if (a.byteLength !== b.byteLength) {
    subtle.timingSafeEqual(b, b);
    return false;
  }
  return subtle.timingSafeEqual(a, b);
}

function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(header);
  return match?.[1];
}

/** True when the request carries `Authorization: Bearer <ADMIN_TOKEN>` and a token is configured. Synchronous on purpose: the tracing hook that decides whether to trust an incoming traceparent must be. */
export function isAdminRequest(request: Request, env: Pick<Env, 'ADMIN_TOKEN'>): boolean {
  const expected = env.ADMIN_TOKEN?.trim();
  const given = bearerToken(request);
  return !!expected && given !== undefined && tokensMatch(given, expected);
}

/** Guards admin routes: 503 when no token is configured (never open), 401 without the right one. */
export function requireAdmin(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    if (!c.env.ADMIN_TOKEN?.trim()) {
      return c.json({ error: 'Admin is disabled: no ADMIN_TOKEN is configured for this worker.' }, 503);
    }
    if (!isAdminRequest(c.req.raw, c.env)) {
      c.header('WWW-Authenticate', 'Bearer realm="admin"');
      return c.json({ error: 'Unauthorized: send Authorization: Bearer <ADMIN_TOKEN>.' }, 401);
    }
    await next();
  };
}
