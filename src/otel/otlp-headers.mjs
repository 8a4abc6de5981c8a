// OTEL_EXPORTER_OTLP_HEADERS parsing, in plain JavaScript so that the workers (src/otel/config.ts) and
// `npm start`'s endpoint probe (scripts/otlp-probe.mjs, run by Node without a TypeScript step) share it.

/** `k=v,k2=v2` as in the OTel spec: values are URL-encoded, blanks around entries ignored. */
export function parseOtlpHeaders(raw) {
  const headers = {};
  for (const entry of (raw ?? '').split(',')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq).trim().toLowerCase();
    const value = entry.slice(eq + 1).trim();
    if (!key) continue;
    try {
      headers[key] = decodeURIComponent(value);
    } catch {
      headers[key] = value;
    }
  }
  return headers;
}
