/**
 * A per-ZIP router in front of weather stubs, so fault cases with different ZIPs can run at the
 * same time against one stack: the weather stub's fault is global (one at a time), while each
 * ZIP routed here can have a stub (and so a fault) of its own, or a hand-written answer.
 *
 * The ZIP of a request is found the way the providers send it: Open-Meteo geocoding `name=`,
 * OpenWeatherMap geocoding `zip=78729,US`, and for forecasts (which carry only coordinates) the
 * coordinates the stub itself gives that ZIP (`stubPlaceForZip`). Unrouted requests go to the
 * fallback stub.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { stubPlaceForZip } from './weather-stub';

export interface RoutedRequest {
  zip?: string;
  path: string;
  query: Record<string, string>;
}

/** Answers a request itself (return true), or lets it through to the ZIP's stub / the fallback (return false). */
export type Responder = (request: RoutedRequest, res: ServerResponse) => boolean;

export interface ZipRoute {
  /** Base URL of the stub that serves this ZIP. */
  target?: string;
  respond?: Responder;
}

export interface ZipRouter {
  url: string;
  /** Every API request, with the ZIP it was attributed to. */
  requests: RoutedRequest[];
  route(zip: string, route: ZipRoute): void;
  requestsFor(zip: string, kind?: 'geocoding' | 'forecast'): RoutedRequest[];
  close(): Promise<void>;
}

const GEOCODING_PATHS = new Set(['/v1/search', '/geo/1.0/zip']);
const FORECAST_PATHS = new Set(['/v1/forecast', '/data/3.0/onecall']);

export async function startZipRouter(fallback: string): Promise<ZipRouter> {
  const routes = new Map<string, ZipRoute>();
  const requests: RoutedRequest[] = [];
  const sockets = new Set<Socket>();

  const zipOf = (path: string, query: Record<string, string>): string | undefined => {
    if (path === '/v1/search') return query.name;
    if (path === '/geo/1.0/zip') return (query.zip ?? '').split(',')[0]?.trim();
    if (FORECAST_PATHS.has(path)) {
      const lat = Number(query.latitude ?? query.lat);
      const lon = Number(query.longitude ?? query.lon);
      for (const zip of routes.keys()) {
        const place = stubPlaceForZip(zip);
        if (place && Math.abs(place.lat - lat) < 1e-6 && Math.abs(place.lon - lon) < 1e-6) return zip;
      }
    }
    return undefined;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, target: string) => {
    const url = new URL(req.url ?? '/', target);
    const upstream = httpRequest(url.href, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    // The worker gave up (timeout): stop waiting for a hanging upstream too.
    res.on('close', () => upstream.destroy());
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://router.invalid');
    const query = Object.fromEntries(url.searchParams);
    const isApi = GEOCODING_PATHS.has(url.pathname) || FORECAST_PATHS.has(url.pathname);
    const zip = isApi ? zipOf(url.pathname, query) : undefined;
    const routed: RoutedRequest = { ...(zip ? { zip } : {}), path: url.pathname, query };
    if (isApi) requests.push(routed);
    const route = zip ? routes.get(zip) : undefined;
    if (route?.respond?.(routed, res)) return;
    forward(req, res, route?.target ?? fallback);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (zip, route) => void routes.set(zip, route),
    requestsFor: (zip, kind) =>
      requests.filter((r) => r.zip === zip && (!kind || (kind === 'geocoding' ? GEOCODING_PATHS.has(r.path) : FORECAST_PATHS.has(r.path)))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
