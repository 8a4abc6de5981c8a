import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import { inSpan, tracerFor } from './spans';

export const ATTR_URL_TEMPLATE = 'url.template';

/**
 * Hosts that may receive our `traceparent`/`tracestate` (TRACE_CONTEXT_HOSTS). Empty by default:
 * workers talk to each other through queues, and a third-party API has no use for our trace ids. Set per invocation from the worker's env.
 */
let propagationHosts: readonly string[] = [];
export function setPropagationHosts(hosts: readonly string[]): void {
  propagationHosts = hosts;
}

export function mayPropagateTo(host: string): boolean {
  const name = host.toLowerCase();
  return propagationHosts.some((allowed) => (allowed.startsWith('*.') ? name.endsWith(allowed.slice(1)) : name === allowed));
}

/**
 * The low-cardinality path of a URL for span names: segments that look like ids (long digit runs,
 * hex or UUID-like values) become `{id}`; the query is never part of it.
 */
export function urlTemplate(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => (/^\d{3,}$/.test(segment) || /^[0-9a-f-]{16,}$/i.test(segment) ? '{id}' : segment))
    .join('/');
}

let installed = false;

/**
 * Replaces the global fetch, once per isolate, with one that makes an HTTP CLIENT span named
 * `{method} {url.template}` (so the geocoding and the forecast calls differ by name) with
 * `server.address`, and that sends trace context only to allowed hosts. Inside a context with
 * tracing suppressed (our own span export) it is the plain fetch: exports trace nothing.
 */
export function installFetchInstrumentation(): void {
  if (installed) return;
  installed = true;
  // The fetch found at install time (the runtime's, or a test's spy around it): what the traced one calls.
  const rawFetch: typeof fetch = globalThis.fetch.bind(globalThis);
  const tracedFetch = function tracedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const active = context.active();
    if (isTracingSuppressed(active) || !trace.getSpan(active)) return rawFetch(input, init);
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return rawFetch(request);
    const template = urlTemplate(url.pathname);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: request.method,
      [ATTR_SERVER_ADDRESS]: url.hostname,
      [ATTR_SERVER_PORT]: port,
      [ATTR_URL_FULL]: url.href,
      [ATTR_URL_SCHEME]: url.protocol.slice(0, -1),
      [ATTR_URL_TEMPLATE]: template,
    };
    return inSpan(tracerFor('fetch'), `${request.method} ${template}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      if (mayPropagateTo(url.host) || mayPropagateTo(url.hostname)) propagation.inject(context.active(), request.headers, headerSetter);
      const response = await rawFetch(request);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
      if (response.status >= 400) {
        span.setAttribute(ATTR_ERROR_TYPE, String(response.status));
        span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
      }
      return response;
    });
  } as typeof fetch;
  // Where OTel exporters look for the uninstrumented fetch (exporter-trace-otlp-http's fetch transport).
  globalThis.fetch = Object.assign(tracedFetch, { __original: rawFetch });
}

const headerSetter = { set: (headers: Headers, key: string, value: string) => headers.set(key, value) };
