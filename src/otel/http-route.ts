import { trace, type Attributes } from '@opentelemetry/api';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { getPattern, splitRoutingPath } from 'hono/utils/url';
import { withContextAttributes } from './context-attributes';

export interface TraceRouteOptions {
  /** Context attributes of a request, read from its URL: on its SERVER span and every span under it. */
  requestAttributes?: (url: URL) => Attributes;
}

/**
 * A Hono middleware that names the request's SERVER span by the HTTP conventions,
 * `{method} {http.route}` with the matched Hono route as a template (`POST /admin/generate`,
 * `GET /:zip/:file`: without the parameters' regular expressions), or just `{method}` when no route
 * matched; and puts the request's context attributes (`requestAttributes`) on it and on every span
 * under it.
 */
export function traceRoute(options: TraceRouteOptions = {}): MiddlewareHandler {
  const requestAttributes = options.requestAttributes;
  return async (c, next) => {
    const span = trace.getActiveSpan();
    if (requestAttributes) await withContextAttributes(requestAttributes(new URL(c.req.url)), next);
    else await next();
    if (!span) return;
    const matched = matchedRoute(c);
    const route = matched === undefined ? undefined : routeTemplate(matched);
    if (route) span.setAttribute(ATTR_HTTP_ROUTE, route);
    span.updateName(route ? `${c.req.method} ${route}` : c.req.method);
  };
}

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

const templates = new Map<string, string>();

/**
 * A Hono route path as the HTTP conventions' route template: each parameter by its name only,
 * its constraint dropped (`/admin/runs/:runId{[0-9a-f]{32}}` → `/admin/runs/:runId`), read with
 * Hono's own route-path parser. Remembered per route: an app has a handful.
 */
export function routeTemplate(path: string): string {
  let template = templates.get(path);
  if (template === undefined) {
    const labels = splitRoutingPath(path).map((label) => {
      const pattern = getPattern(label);
      return Array.isArray(pattern) ? `:${pattern[1]}` : label;
    });
    templates.set(path, (template = `/${labels.join('/')}`));
  }
  return template;
}
