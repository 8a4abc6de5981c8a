import type { Env } from '../env';
import { parseOtlpHeaders } from './otlp-headers.mjs';

/** Tracing settings read from the standard OpenTelemetry environment variables. */
export interface OtelSettings {
  disabled: boolean;
  /** `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces` */
  tracesUrl: string;
  headers: Record<string, string>;
  samplingRatio: number;
  exportTimeoutMs: number;
  environment: string;
  version: string;
  /** Hosts that may receive trace context on outgoing fetches (TRACE_CONTEXT_HOSTS); none by default. */
  propagationHosts: string[];
  /**
   * Whether send spans carry each message's size (TRACE_MESSAGE_BODY_SIZE=true; off by default).
   * The conventions make `messaging.message.body.size` Opt-In, and measuring means a JSON.stringify of
   * every body: 4–5 ms of a 100-message dispatcher batch's CPU profile (npm run bench:profile). The cost
   * ledger turns it on.
   */
  messageBodySize: boolean;
}

export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';
export const DEFAULT_EXPORT_TIMEOUT_MS = 5_000;

function parseRatio(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const ratio = Number(raw);
  return Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 1;
}

function isTrue(raw: string | undefined): boolean {
  return (raw ?? '').trim().toLowerCase() === 'true';
}

export function isTracingDisabled(env: Pick<Env, 'OTEL_SDK_DISABLED'>): boolean {
  return isTrue(env.OTEL_SDK_DISABLED);
}

export function readOtelSettings(env: Env): OtelSettings {
  const endpoint = (env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || DEFAULT_OTLP_ENDPOINT).replace(/\/+$/, '');
  const timeout = Number(env.OTEL_EXPORT_TIMEOUT_MS);
  return {
    disabled: isTracingDisabled(env),
    tracesUrl: `${endpoint}/v1/traces`,
    headers: parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    samplingRatio: parseRatio(env.OTEL_TRACES_SAMPLER_ARG),
    exportTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_EXPORT_TIMEOUT_MS,
    environment: env.DEPLOYMENT_ENVIRONMENT?.trim() || 'development',
    version: env.SERVICE_VERSION?.trim() || '0.1.0',
    propagationHosts: (env.TRACE_CONTEXT_HOSTS ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
    messageBodySize: isTrue(env.TRACE_MESSAGE_BODY_SIZE),
  };
}
