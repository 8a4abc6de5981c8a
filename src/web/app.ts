import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { traceRoute } from '../otel';
import { runAttributesOfRequest } from '../tracing/run-attributes';
import { adminApi } from './admin-api';
import { adminPages } from './admin-pages';
import { sameOriginWrites } from './csrf';
import { assetRoutes } from './assets';
import { healthRoutes } from './health';
import { imageRoutes } from './image-routes';
import { publicPages } from './public-pages';
import { requestId } from './request-id';
import { noStore, rawPath, resourcePolicy, securityHeaders } from './security';
import type { WebEnv } from './web-env';

/**
 * The web worker's routes, on exact paths only: strict (no trailing-slash guessing) and routed on
 * the raw, undecoded path (see rawPath), so nothing outside /admin/* can reach admin code.
 * Order matters: pages and assets before the image routes, whose `/:zip` and `/:zip/:file` would
 * otherwise swallow `/guide` or `/robots.txt`; the admin HTML before the JSON admin API, whose
 * guard would otherwise answer a browser's GET /admin with 401 JSON instead of the login form.
 */
export function createApp(): Hono<WebEnv> {
  const app = new Hono<WebEnv>({ strict: true, getPath: rawPath });
  app.use('*', traceRoute({ requestAttributes: runAttributesOfRequest }), requestId, securityHeaders, resourcePolicy);
  app.use('/admin', noStore, sameOriginWrites);
  app.use('/admin/*', noStore, sameOriginWrites);

  app.route('/', publicPages);
  app.route('/', assetRoutes);
  app.route('/', healthRoutes);
  app.route('/', adminPages);
  // Dead-letter admin routes go here, before the admin API mount: app.route('/admin/dlq', dlqApi).
  // (Today adminApi mounts dlqApi itself, behind requireAdmin(); mounted here it needs its own guard.)
  app.route('/admin', adminApi);
  app.route('/', imageRoutes);

  app.notFound((c) => c.json({ error: 'Not found.' }, 404));
  app.onError((error, c) => {
    // Middleware refusals (e.g. csrf()'s 403) carry their own response.
    if (error instanceof HTTPException) return error.getResponse();
    console.error('request failed', { action: 'error', path: c.req.path, error: error.message });
    return c.json({ error: 'Internal error.' }, 500);
  });
  return app;
}
