// `npm start` says once, at startup, when the OTLP endpoint would not take the workers' spans (the
// workers would otherwise only say it in their first failed export), and what to do about it.
import { parseOtlpHeaders } from '../src/otel/otlp-headers.mjs';

/**
 * Resolves to undefined when a receiver takes exports at the endpoint, else to the advice to print.
 * It sends what the workers send: a POST to `<endpoint>/v1/traces` with OTEL_EXPORTER_OTLP_HEADERS
 * (`otlpHeaders`, parsed by the workers' parser), so a rejected credential shows up here.
 */
export async function probeOtlpEndpoint(endpoint, { otlpHeaders, timeoutMs = 1500 } = {}) {
  const url = `${endpoint.trim().replace(/\/+$/, '')}/v1/traces`;
  const headers = parseOtlpHeaders(otlpHeaders);
  let status;
  try {
    // An empty OTLP/JSON export: a receiver stores nothing.
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    status = res.status;
  } catch (error) {
    const cause = error?.cause?.code ?? error?.cause?.message ?? error?.name ?? String(error);
    const why = error?.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : cause === 'ECONNREFUSED' ? 'connection refused' : cause;
    return (
      `[start] nothing answers on ${url} (${why}): the workers' spans will be dropped.\n` +
      '[start]   to see traces: `npm run trace-view` (terminal), or Jaeger: `docker compose -f docker-compose.jaeger.yml up -d`;\n' +
      '[start]   to switch tracing off instead: OTEL_SDK_DISABLED=true npm start'
    );
  }
  // 400 counts as listening: OTLP/HTTP answers 400 Bad Request to a body it cannot decode or use
  // (spec, "Failures"), so a receiver is at that URL; what it objects to is the probe's empty body.
  if ((status >= 200 && status < 300) || status === 400) return undefined;
  // Header names only: their values are secrets (API keys).
  const sent = Object.keys(headers).length ? `sent headers: ${Object.keys(headers).join(', ')}` : 'no headers sent';
  if (status === 401 || status === 403) {
    return `[start] ${url} answered ${status}: credentials rejected: check OTEL_EXPORTER_OTLP_HEADERS (${sent}); the workers' spans will be dropped.`;
  }
  if (status === 404) {
    return (
      `[start] ${url} answered 404: wrong path: no OTLP receiver at that URL; the workers' spans will be dropped.\n` +
      '[start]   OTEL_EXPORTER_OTLP_ENDPOINT is the base URL: the workers append /v1/traces to it.'
    );
  }
  return `[start] ${url} answered HTTP ${status}: the workers' spans may be dropped.`;
}
