/**
 * Resolves to undefined when a receiver takes exports at the endpoint, else to the advice `npm start`
 * prints. `otlpHeaders` is OTEL_EXPORTER_OTLP_HEADERS (`k=v,k2=v2`), sent with the probe.
 */
export function probeOtlpEndpoint(endpoint: string, options?: { otlpHeaders?: string; timeoutMs?: number }): Promise<string | undefined>;
