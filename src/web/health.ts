import { Hono } from 'hono';
import type { WebEnv } from './web-env';

/**
 * `GET /healthz`: 200 `ok` as soon as the worker answers, for readiness probes (`npm start`, the
 * e2e stack) and uptime checks. No I/O, and not traced (traced-requests.ts): a probe every 250 ms
 * would otherwise fill Jaeger's search with one-span traces. Registered before the image routes,
 * which would otherwise read it as a ZIP code.
 */
export const healthRoutes = new Hono<WebEnv>({ strict: true });

healthRoutes.get('/healthz', (c) => c.text('ok', 200, { 'cache-control': 'no-store' }));
