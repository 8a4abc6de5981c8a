import { rawPath } from './security';

/** Fixed files built in memory (stylesheet, script, favicon, sprites, guide pictures): no I/O to see. */
const UNTRACED_PATHS = new Set(['/healthz', '/robots.txt', '/favicon.png', '/favicon.ico']);
const UNTRACED_PREFIXES = ['/assets/', '/sprites/'];

/**
 * Which requests the web worker traces, so that Jaeger's search for `weather-landscape-web` lists
 * runs, cron ticks and what visitors and devices asked for, not noise:
 * - traced: every write (`POST /admin/generate`, replays, settings), image requests (what the
 *   e-ink devices fetch), the public pages (each costs R2 operations; the bench counts them from
 *   their spans), and anything unknown (a 404 is worth seeing);
 * - not traced: `GET /healthz` (readiness probes, every 250 ms while `npm start` waits), the static
 *   files (`/assets/*`, `/sprites/*`, favicon, robots.txt), and the admin's own reads
 *   (`GET`/`HEAD` under `/admin`: its pages, and the run view polling `/admin/runs/{id}` every
 *   second while a run goes on), which would otherwise outnumber the runs they watch.
 * An untraced request costs nothing (instrument.ts: the plain handler); its log lines still
 * carry the worker and action, without a trace id.
 */
export function isTracedRequest(request: Request): boolean {
  const path = rawPath(request);
  if (UNTRACED_PATHS.has(path) || UNTRACED_PREFIXES.some((prefix) => path.startsWith(prefix))) return false;
  const read = request.method === 'GET' || request.method === 'HEAD';
  return !(read && (path === '/admin' || path.startsWith('/admin/')));
}
