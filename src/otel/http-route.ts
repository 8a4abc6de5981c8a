import { trace } from '@opentelemetry/api';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { runAttributesOfRequest, runWithAttributes } from './run-attributes';

/**
 * Names the request's SERVER span by the HTTP conventions, `{method} {http.route}` with the
 * matched Hono route (`POST /admin/generate`, `GET /:zip/:file`), or just `{method}` when no route
 * matched; and puts the request's ZIP on it and on every span under it.
 */
export const traceRoute: MiddlewareHandler = async (c, next) => {
  const span = trace.getActiveSpan();
  await runWithAttributes(runAttributesOfRequest(new URL(c.req.url)), next);
  if (!span) return;
  const route = matchedRoute(c);
  if (route) span.setAttribute(ATTR_HTTP_ROUTE, route);
  span.updateName(route ? `${c.req.method} ${route}` : c.req.method);
};

/**
 * The route of the handler that answered; when a middleware answered (a 401 from the admin guard),
 * the most specific route the request matched. Wildcard middleware paths are no routes.
 */
function matchedRoute(c: Context): string | undefined {
  const routes = matchedRoutes(c);
  const answered = routes[c.req.routeIndex]?.path;
  if (answered && !answered.includes('*')) return answered;
  return routes
    .map((r) => r.path)
    .filter((path) => !path.includes('*'))
    .at(-1);
}
