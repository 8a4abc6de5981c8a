import { instrument, type ResolveConfigFn, type TraceConfig } from '@microlabs/otel-cf-workers';
import { trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { KeyTemplate } from './binding-proxy';
import { instrumentBindings, type QueueBindings } from './bindings';
import { isTracingDisabled, readOtelSettings, type OtelEnv } from './config';
import { setBodyAttributes, type BodyAttributes } from './context-attributes';
import { setExportAdvice, setExportEndpoint } from './export-warnings';
import { createOtlpExporter, ExportView, withExportView } from './exporter';
import { installFetchInstrumentation, setPropagationHosts } from './fetch';
import { installLogBridge } from './log-bridge';
import { setTelemetryNames } from './names';
import { hasNativeTracing, NativeTraceLinkProcessor, setNativeAttributeNames, withNativeTraceLink } from './native-tracing';
import { ParentRatioSampler } from './sampler';
import { InvocationSpanProcessor } from './span-processor';
import { setSpanPipeline, SpanPipeline } from './tracer';

const extraExporters: SpanExporter[] = [];
/** For tests: an extra exporter (e.g. in-memory) that receives exactly what OTLP receives; register before the first request. */
export function registerSpanExporter(exporter: SpanExporter): void {
  extraExporters.push(exporter);
}

export interface InstrumentOptions<E extends OtelEnv = OtelEnv> {
  /** The resource's `service.namespace` (e.g. the product the workers make up); none by default. */
  serviceNamespace?: string;
  /** Instrumentation scopes are `<scopePrefix>.kv`, `.queue`, … (default `workers-otel`; names.ts). */
  scopePrefix?: string;
  /** The library's own attributes are `<attributeNamespace>.link`, … (default `workers_otel`; names.ts). */
  attributeNamespace?: string;
  /**
   * The context attributes a queue message body carries (context-attributes.ts): on its `create`,
   * `send` and `process` spans and every span under `process`. None by default.
   */
  bodyAttributes?: BodyAttributes;
  /** What a failed export's warning tells the operator to do (default: point OTEL_EXPORTER_OTLP_ENDPOINT at a receiver). */
  exportFailureAdvice?: string;
  /** Whether an incoming `traceparent` header may become the parent of the request's span. */
  acceptTraceContext?: (request: Request, env: E) => boolean;
  /**
   * Whether a request that starts a new trace (no accepted parent) is sampled whatever
   * OTEL_TRACES_SAMPLER_ARG says. Asked by the head sampler before any routing, for every such
   * request: synchronous and cheap. A parent's decision still wins.
   */
  sampleAlways?: (request: Request, env: E) => boolean;
  /** The queue behind each producer binding, for span names (`send <queue>`). */
  queues?: QueueBindings<E>;
  /**
   * Per-message `create` spans for a `sendBatch` whose messages share the caller's context (default
   * true, the conventions' rule); false makes such a batch one PRODUCER `send` span (queue-producer.ts).
   */
  createSpans?: boolean;
  /**
   * The context attributes every log line carries: attribute name → log field name (log-bridge.ts).
   * Where the runtime has Cloudflare's native tracing, its invocation span is told them too.
   */
  logFields?: Readonly<Record<string, string>>;
  /** The template of a KV or R2 key (`run:{id}`), which names its span (`put run:{id}`); without one, the binding does. */
  keyTemplate?: KeyTemplate;
  /**
   * Whether a request is traced. One that is not runs the plain handler with the plain env: no
   * span, no instrumented bindings, no export, so it costs nothing. Default: every request.
   */
  traceRequest?: (request: Request) => boolean;
}

let processor: InvocationSpanProcessor | undefined;
let pipeline: SpanPipeline | undefined;

/** What the runtime handed this invocation, before otel-cf-workers wrapped it in its own proxies. */
const invocation = new AsyncLocalStorage<{ env: OtelEnv; batch?: MessageBatch<unknown>; request?: Request }>();

function traceConfig<E extends OtelEnv>(service: string, options: InstrumentOptions<E>): ResolveConfigFn<E> {
  return (env: E): TraceConfig => {
    const settings = readOtelSettings(env);
    setPropagationHosts(settings.propagationHosts);
    setExportEndpoint(settings.tracesUrl);
    installFetchInstrumentation();
    // otel-cf-workers builds its provider once per isolate from the first config: keep one pipeline too.
    if (!pipeline) {
      const view = new ExportView({ 'deployment.environment.name': settings.environment });
      processor = new InvocationSpanProcessor([
        createOtlpExporter({ url: settings.tracesUrl, headers: settings.headers, timeoutMs: settings.exportTimeoutMs, view }),
        ...extraExporters.map((exporter) => withExportView(exporter, view)),
      ]);
      const sampler = new ParentRatioSampler(settings.samplingRatio, { alwaysSampleRoot: () => sampleAlways(options) });
      // Only where the runtime has Cloudflare's `tracing`: elsewhere no span pays for the link.
      pipeline = new SpanPipeline(sampler, hasNativeTracing() ? [new NativeTraceLinkProcessor(), processor] : [processor], {
        recordUnsampled: settings.keepUnsampledFailures,
      });
      setSpanPipeline(pipeline, () => invocation.getStore() !== undefined);
    }
    return {
      service: { name: service, version: settings.version, namespace: options.serviceNamespace },
      spanProcessors: [pipeline],
      sampling: { headSampler: pipeline.sampler },
      propagator: new W3CTraceContextPropagator(),
      // Ours instead (fetch.ts, bindings.ts): one span per operation, semantic names, trace context only where allowed.
      instrumentation: { instrumentGlobalFetch: false, instrumentGlobalCache: false },
      handlers: {
        fetch: { acceptTraceContext: (request: Request) => options.acceptTraceContext?.(request, env) ?? false },
      },
    };
  };
}

/** The option's answer for the request this invocation serves (never for a cron or queue invocation). */
function sampleAlways<E extends OtelEnv>(options: InstrumentOptions<E>): boolean {
  const store = invocation.getStore();
  return store?.request !== undefined && options.sampleAlways !== undefined && options.sampleAlways(store.request, store.env as E);
}

/**
 * Wraps a worker's handlers with otel-cf-workers' `instrument()` (the invocation's root span,
 * context, export at the end) and gives the handlers our own instrumented bindings. With
 * OTEL_SDK_DISABLED=true the plain handlers run with the plain env: no spans, no exports.
 */
export function instrumentWorker<E extends OtelEnv>(service: string, handler: ExportedHandler<E>, options: InstrumentOptions<E> = {}): ExportedHandler<E> {
  setTelemetryNames({ scopePrefix: options.scopePrefix, attributeNamespace: options.attributeNamespace });
  setBodyAttributes(options.bodyAttributes);
  setExportAdvice(options.exportFailureAdvice);
  setNativeAttributeNames(Object.keys(options.logFields ?? {}));
  installLogBridge(service, { contextFields: options.logFields });
  const queues: QueueBindings<E> = options.queues ?? {};
  const env = () => instrumentBindings(invocation.getStore()!.env as E, queues, { createSpans: options.createSpans, keyTemplate: options.keyTemplate });
  // otel-cf-workers passes its own env proxy (which traces KV and queue sends a second time) and
  // a message proxy whose retry() drops `delaySeconds`: the handlers get the runtime's originals.
  const inner: ExportedHandler<E> = {};
  // Each invocation is tied to Cloudflare's native trace of it where the runtime has one (native-tracing.ts).
  if (handler.fetch) {
    inner.fetch = (request, _env, ctx) => {
      // The HTTP conventions' name without a route; traceRoute (http-route.ts) adds the route.
      const serverSpan = trace.getActiveSpan();
      serverSpan?.updateName(request.method);
      return withNativeTraceLink(serverSpan, () => handler.fetch!(request, env(), ctx));
    };
  }
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
  const instrumented = instrument(inner, traceConfig(service, options));
  const pick = (rawEnv: E) => (isTracingDisabled(rawEnv) ? handler : instrumented);
  const wrapped: ExportedHandler<E> = {};
  const traceRequest = options.traceRequest;
  if (handler.fetch) {
    wrapped.fetch = (request, rawEnv, ctx) =>
      traceRequest && !traceRequest(request)
        ? handler.fetch!(request, rawEnv, ctx)
        : invocation.run({ env: rawEnv, request }, () => pick(rawEnv).fetch!(request, rawEnv, ctx));
  }
  if (handler.queue) wrapped.queue = (batch, rawEnv, ctx) => invocation.run({ env: rawEnv, batch }, () => pick(rawEnv).queue!(batch, rawEnv, ctx));
  if (handler.scheduled)
    wrapped.scheduled = (controller, rawEnv, ctx) => invocation.run({ env: rawEnv }, () => pick(rawEnv).scheduled!(controller, rawEnv, ctx));
  return wrapped;
}
