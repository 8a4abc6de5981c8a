// `npm start` says once, at startup, when nothing answers on the OTLP endpoint (the workers would
// otherwise only say it in their first failed export), and what to do about it.

/** Resolves to undefined when something answers HTTP at the endpoint, else to the advice to print. */
export async function probeOtlpEndpoint(endpoint, timeoutMs = 1500) {
  const url = `${endpoint.replace(/\/+$/, '')}/v1/traces`;
  try {
    // An empty export: any HTTP answer (even 400) means a receiver listens.
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(timeoutMs) });
    return undefined;
  } catch (error) {
    const cause = error?.cause?.code ?? error?.cause?.message ?? error?.name ?? String(error);
    const why = error?.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : cause === 'ECONNREFUSED' ? 'connection refused' : cause;
    return (
      `[start] nothing answers on ${url} (${why}): the workers' spans will be dropped.\n` +
      '[start]   to see traces: `npm run trace-view` (terminal), or Jaeger: `docker compose -f docker-compose.jaeger.yml up -d`;\n' +
      '[start]   to switch tracing off instead: OTEL_SDK_DISABLED=true npm start'
    );
  }
}
