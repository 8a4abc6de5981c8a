import { parseOtlpHeaders } from './otlp-headers.mjs';

/**
 * The variables this library reads from a worker's env (all strings, all optional): the standard
 * OpenTelemetry ones and some of its own. An application's Env type satisfies it as it is.
 */
export interface OtelEnv {
  /** `true` switches tracing off: the plain handlers run with the plain env. */
  OTEL_SDK_DISABLED?: string;
  /** The collector's base URL (default http://localhost:4318); spans go to `<it>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  /** `k=v,k2=v2`, values URL-encoded: headers of every export (an API key). */
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  /** Head-sampling ratio of new traces, 0 to 1 (default 1). */
  OTEL_TRACES_SAMPLER_ARG?: string;
  /** How long an export may take, retries included, in ms (default 5000). */
  OTEL_EXPORT_TIMEOUT_MS?: string;
  /** Comma-separated hosts (`*.example.com` allowed) that may receive traceparent on outgoing fetches. */
  TRACE_CONTEXT_HOSTS?: string;
  /** `true` puts each queue message's size on its send span (`messaging.message.body.size`, Opt-In). */
  TRACE_MESSAGE_BODY_SIZE?: string;
  /** `false`: standard head sampling, unsampled work is not recorded and its failures are not exported (default `true`). */
  TRACE_KEEP_UNSAMPLED_FAILURES?: string;
  /** The resource's `deployment.environment.name` (default `development`). */
  DEPLOYMENT_ENVIRONMENT?: string;
  /** The resource's `service.version` (default `0.1.0`). */
  SERVICE_VERSION?: string;
}

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
   * Whether send spans carry each message's size (TRACE_MESSAGE_BODY_SIZE=true; off by default):
   * the conventions make `messaging.message.body.size` Opt-In, and measuring it means a
   * JSON.stringify of every body sent, a CPU cost on every send that only a cost analysis needs.
   */
  messageBodySize: boolean;
  /**
   * Whether the work of traces that were not head-sampled is still recorded, so that the pieces of
   * it in which something failed are exported (TRACE_KEEP_UNSAMPLED_FAILURES, on unless `false`).
   * Off, a failure in unsampled work leaves no span. What it saves: the repository's
   * bench/README.md (the tracing JS cost rows, "unsampled failures not kept").
   */
  keepUnsampledFailures: boolean;
}

export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';
export const DEFAULT_EXPORT_TIMEOUT_MS = 5_000;

function parseRatio(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const ratio = Number(raw);
  return Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 1;
}

/** A yes/no variable: `true` or `false` in any case, anything else (unset, empty, `1`) its default. */
function flag(raw: string | undefined, fallback: boolean): boolean {
  const value = (raw ?? '').trim().toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : fallback;
}

export function isTracingDisabled(env: Pick<OtelEnv, 'OTEL_SDK_DISABLED'>): boolean {
  return flag(env.OTEL_SDK_DISABLED, false);
}

export function readOtelSettings(env: OtelEnv): OtelSettings {
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
    messageBodySize: flag(env.TRACE_MESSAGE_BODY_SIZE, false),
    keepUnsampledFailures: flag(env.TRACE_KEEP_UNSAMPLED_FAILURES, true),
  };
}
