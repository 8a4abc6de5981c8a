import type { Env as HonoEnv, Hono } from 'hono';
import { METHOD_NAME_ALL } from 'hono/router';

/**
 * 405 with `Allow` for a wrong method on any path a router serves. Call it once a router's routes
 * are all registered: it reads them back (`router.routes`), so the Allow list cannot drift from the
 * handlers. Without it a wrong method would fall through to a later, broader route (GET
 * /admin/generate reached the image route `/:zip/:file` and answered 400 "Invalid ZIP code").
 */
export function answerWrongMethods<E extends HonoEnv>(router: Hono<E>): void {
  const allowed = new Map<string, Set<string>>();
  // Paths already answered for every method (a mounted router that did this itself).
  const covered = new Set(router.routes.filter((r) => r.method === METHOD_NAME_ALL).map((r) => r.path));
  for (const route of router.routes) {
    if (route.method === METHOD_NAME_ALL || covered.has(route.path)) continue; // middleware (use), or done
    const methods = allowed.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD'); // Hono answers HEAD with the GET handler
    allowed.set(route.path, methods);
  }
  for (const [path, methods] of allowed) {
    const allow = [...methods].join(', ');
    router.all(path, (c) => {
      c.header('Allow', allow);
      return c.json({ error: `Method ${c.req.method} is not allowed here. Allowed: ${allow}.` }, 405);
    });
  }
}
