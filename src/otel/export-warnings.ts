/**
 * Failed span exports are told once per isolate per minute, with the cause and what to do, not
 * once per request: without a collector a busy worker would otherwise log dozens of identical lines.
 */
const QUIET_MS = 60_000;
let lastWarnedAt = -Infinity;
let droppedSinceWarning = 0;
let failuresSinceWarning = 0;
let endpoint = '';

/** What the warning tells the operator to do; an application names its own receiver (instrumentWorker's `exportFailureAdvice`). */
export const DEFAULT_EXPORT_ADVICE = 'Point OTEL_EXPORTER_OTLP_ENDPOINT at a running OTLP receiver, or set OTEL_SDK_DISABLED=true to switch tracing off.';
let advice = DEFAULT_EXPORT_ADVICE;

export function setExportAdvice(text: string | undefined): void {
  advice = text ?? DEFAULT_EXPORT_ADVICE;
}

export function setExportEndpoint(url: string): void {
  endpoint = url;
}

/** What went wrong, in words an operator acts on: refused, timed out, or the receiver's HTTP status. */
export function describeExportFailure(error: unknown): string {
  const chain: Array<{ name?: string; message?: string }> = [];
  for (let e = error as { name?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    chain.push(typeof e === 'object' ? e : { message: String(e) });
  }
  const text = chain.map((e) => e.message ?? '').join(': ') || String(error);
  if (chain.some((e) => e.name === 'TimeoutError' || e.name === 'AbortError') || /timed? ?out/i.test(text)) return `timed out (${text})`;
  const status = /(?:HTTP|status) (\d{3})/.exec(text)?.[1];
  if (status) return `the receiver answered HTTP ${status}`;
  // workerd reports a refused or reset connection as "Network connection lost." (seen with no listener on the port).
  if (/connection lost|refused|network error|connect/i.test(text)) return `nothing accepted the connection (${text})`;
  return text;
}

export function exportFailureNotice(error: unknown, spans: number, now = Date.now()): void {
  failuresSinceWarning++;
  droppedSinceWarning += spans;
  if (now - lastWarnedAt < QUIET_MS) return;
  console.warn(`span export to ${endpoint || 'the OTLP endpoint'} failed: ${describeExportFailure(error)}; spans dropped. ${advice}`, {
    action: 'error',
    failed_exports: failuresSinceWarning,
    dropped_spans: droppedSinceWarning,
    quiet_for_seconds: QUIET_MS / 1000,
  });
  lastWarnedAt = now;
  failuresSinceWarning = 0;
  droppedSinceWarning = 0;
}

/** For tests: forget the last warning. */
export function resetExportWarnings(): void {
  lastWarnedAt = -Infinity;
  failuresSinceWarning = 0;
  droppedSinceWarning = 0;
}
