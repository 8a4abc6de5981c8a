import { Hono } from 'hono';
import type { Env } from '../env';
import { adminApi } from './admin-api';
import { imageRoutes } from './image-routes';

/**
 * The web worker's routes, on exact paths only (strict: no trailing-slash or segment
 * guessing), so nothing outside /admin/* can reach admin code.
 */
export function createApp(): Hono<{ Bindings: Env }> {
  const app = new Hono<{ Bindings: Env }>({ strict: true });
  app.get('/', (c) =>
    c.html(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Weather Landscape</title></head>' +
        '<body><h1>Weather Landscape</h1><p>Weather forecasts drawn as small landscapes for e-ink displays and web pages.</p>' +
        '<p>Images: <code>/{zip}/{format}.png</code> or <code>.bmp</code>.</p></body></html>',
    ),
  );
  app.route('/admin', adminApi);
  app.route('/', imageRoutes);
  app.notFound((c) => c.json({ error: 'Not found.' }, 404));
  app.onError((error, c) => {
    console.error('request failed', { path: c.req.path, error: error.message });
    return c.json({ error: 'Internal error.' }, 500);
  });
  return app;
}
