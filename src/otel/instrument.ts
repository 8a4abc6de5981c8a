import { instrument, type ResolveConfigFn, type TraceConfig } from '@microlabs/otel-cf-workers';
import { trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Env } from '../env';
import { instrumentBindings, type QueueBindings } from './bindings';
import { isTracingDisabled, readOtelSettings } from './config';
import { setExportEndpoint } from './export-warnings';
import { createOtlpExporter, ExportView } from './exporter';
import { installFetchInstrumentation, setPropagationHosts } from './fetch';
import { installLogBridge } from './log-bridge';
import { hasNativeTracing, NativeTraceLinkProcessor, withNativeTraceLink } from './native-tracing';
import { ParentRatioSampler } from './sampler';
import { InvocationSpanProcessor } from './span-processor';
import type { ServiceName } from './service-names';

export { SERVICE_NAMES, type ServiceName } from './service-names';

const extraExporters: SpanExporter[] = [];
/** For tests: an extra exporter (e.g. in-memory) that receives exactly what OTLP receives; register before the first request. */
export function registerSpanExporter(exporter: SpanExporter): void {
  extraExporters.push(exporter);
}

export interface InstrumentOptions {
  /** Whether an incoming `traceparent` header may become the parent of the request's span. */
  acceptTraceContext?: (request: Request, env: Env) => boolean;
  /** The queue behind each producer binding, for span names (`send <queue>`). */
  queues?: QueueBindings;
  /**
   * Per-message `create` spans for a `sendBatch` whose messages share the caller's context (default
   * true, the conventions' rule); false makes such a batch one PRODUCER `send` span (queue-producer.ts).
   */
  createSpans?: boolean;
  /** The run's words every log line carries: context attribute name → log field name (log-bridge.ts). */
  logFields?: Readonly<Record<string, string>>;
}

let processor: InvocationSpanProcessor | undefined;
let nativeLinkProcessor: NativeTraceLinkProcessor | undefined;

/** What the runtime handed this invocation, before otel-cf-workers wrapped it in its own proxies. */
const invocation = new AsyncLocalStorage<{ env: Env; batch?: MessageBatch<unknown> }>();

function traceConfig(service: ServiceName, options: InstrumentOptions): ResolveConfigFn<Env> {
  return (env: Env): TraceConfig => {
    const settings = readOtelSettings(env);
    setPropagationHosts(settings.propagationHosts);
    setExportEndpoint(settings.tracesUrl);
    installFetchInstrumentation();
    // otel-cf-workers builds its provider once per isolate from the first config: keep one processor too.
    processor ??= new InvocationSpanProcessor(
      [createOtlpExporter({ url: settings.tracesUrl, headers: settings.headers, timeoutMs: settings.exportTimeoutMs }), ...extraExporters],
      new ExportView({ 'deployment.environment.name': settings.environment, 'deployment.environment': settings.environment }),
    );
    // Only where the runtime has Cloudflare's `tracing`: elsewhere no span pays for the link.
    if (hasNativeTracing()) nativeLinkProcessor ??= new NativeTraceLinkProcessor();
    return {
      service: { name: service, version: settings.version, namespace: 'weather-landscape' },
      spanProcessors: nativeLinkProcessor ? [nativeLinkProcessor, processor] : [processor],
      sampling: { headSampler: new ParentRatioSampler(settings.samplingRatio) },
      propagator: new W3CTraceContextPropagator(),
      // Ours instead (fetch.ts, bindings.ts): one span per operation, semantic names, trace context only where allowed.
      instrumentation: { instrumentGlobalFetch: false, instrumentGlobalCache: false },
      handlers: {
        fetch: { acceptTraceContext: (request: Request) => options.acceptTraceContext?.(request, env) ?? false },
      },
    };
  };
}

/**
 * Wraps a worker's handlers with otel-cf-workers' `instrument()` (the invocation's root span,
 * context, export at the end) and gives the handlers our own instrumented bindings. With
 * OTEL_SDK_DISABLED=true the plain handlers run with the plain env: no spans, no exports.
 */
export function instrumentWorker(service: ServiceName, handler: ExportedHandler<Env>, options: InstrumentOptions = {}): ExportedHandler<Env> {
  installLogBridge(service, { contextFields: options.logFields });
  const queues = options.queues ?? {};
  const env = () => instrumentBindings(invocation.getStore()!.env, queues, { createSpans: options.createSpans });
  // otel-cf-workers passes its own env proxy (which traces KV and queue sends a second time) and
  // a message proxy whose retry() drops `delaySeconds`: the handlers get the runtime's originals.
  const inner: ExportedHandler<Env> = {};
  // Each invocation is tied to Cloudflare's native trace of it where the runtime has one (native-tracing.ts).
  if (handler.fetch) inner.fetch = (request, _env, ctx) => withNativeTraceLink(trace.getActiveSpan(), () => handler.fetch!(request, env(), ctx));
  if (handler.scheduled) {
    inner.scheduled = (controller, _env, ctx) => {
      const cronSpan = trace.getActiveSpan();
      cronSpan?.updateName(`cron ${controller.cron}`);
      return withNativeTraceLink(cronSpan, () => handler.scheduled!(controller, env(), ctx));
    };
  }
  if (handler.queue) {
    inner.queue = (_batch, _env, ctx) => {
      // The per-invocation batch span would be a one-span trace of its own: never exported (see span-processor.ts).
      const batchSpan = trace.getActiveSpan();
      if (batchSpan) processor?.suppress(batchSpan);
      // Not linked itself (it is never exported); each message's `process` span is.
      return withNativeTraceLink(undefined, () => handler.queue!(invocation.getStore()!.batch!, env(), ctx));
    };
  }
  const traced = instrument(inner, traceConfig(service, options));
  const pick = (rawEnv: Env) => (isTracingDisabled(rawEnv) ? handler : traced);
  const wrapped: ExportedHandler<Env> = {};
  if (handler.fetch) wrapped.fetch = (request, rawEnv, ctx) => invocation.run({ env: rawEnv }, () => pick(rawEnv).fetch!(request, rawEnv, ctx));
  if (handler.queue) wrapped.queue = (batch, rawEnv, ctx) => invocation.run({ env: rawEnv, batch }, () => pick(rawEnv).queue!(batch, rawEnv, ctx));
  if (handler.scheduled) wrapped.scheduled = (controller, rawEnv, ctx) => invocation.run({ env: rawEnv }, () => pick(rawEnv).scheduled!(controller, rawEnv, ctx));
  return wrapped;
}
