import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { WebEnv } from './web-env';

/**
 * The path Hono routes on: the raw path of the URL, never percent-decoded. Hono's default decodes
 * it (decodeURI), which would turn `/%61dmin` into `/admin`: a path an `/admin*` rule at the edge
 * (Cloudflare Access, a WAF rule) does not match would still reach admin code. Raw, it is just an
 * unknown path. (`/a/../admin` is already resolved by the URL parser before we see it.)
 */
export function rawPath(request: Request): string {
  const url = request.url;
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  const query = url.indexOf('?', start);
  return url.slice(start, query < 0 ? undefined : query);
}

/**
 * Security headers on every response. The CSP allows only our own origin and no inline code
 * ('self' for scripts, styles, images, fetches and form posts), so an injected tag can do nothing;
 * no framing at all. Referrer-Policy same-origin: run pages carry run ids in the URL, and the
 * "Open in Jaeger" link must not hand them to another host.
 */
export const securityHeaders: MiddlewareHandler<WebEnv> = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
  referrerPolicy: 'same-origin',
  xFrameOptions: 'DENY',
  // Set per response below: the pictures must stay embeddable by other sites.
  crossOriginResourcePolicy: false,
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
});

/**
 * Cross-Origin-Resource-Policy: `cross-origin` for the public pictures (other web pages embed
 * /{zip}/{format}.png, as with the original), `same-origin` for everything else.
 */
export const resourcePolicy: MiddlewareHandler<WebEnv> = async (c, next) => {
  await next();
  if (c.res.headers.has('Cross-Origin-Resource-Policy')) return;
  c.res.headers.set('Cross-Origin-Resource-Policy', 'same-origin');
};

export function embeddable(headers: Headers): Headers {
  headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
  return headers;
}

/** Admin answers are per-person and must never sit in a shared or back-forward cache. */
export const noStore: MiddlewareHandler<WebEnv> = async (c, next) => {
  await next();
  c.res.headers.set('Cache-Control', 'no-store');
};
