import { instrument, type ResolveConfigFn, type TraceConfig } from '@microlabs/otel-cf-workers';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Env } from '../env';
import { isTracingDisabled, readOtelSettings } from './config';
import { OtlpJsonExporter } from './exporter';
import { installLogBridge } from './log-bridge';
import { ParentRatioSampler } from './sampler';
import { InvocationSpanProcessor } from './span-processor';
import type { ServiceName } from './service-names';

export { SERVICE_NAMES, type ServiceName } from './service-names';

const extraProcessors: SpanProcessor[] = [];
/** For tests: an extra processor (e.g. over an in-memory exporter); register before the first request. */
export function registerSpanProcessor(processor: SpanProcessor): void {
  extraProcessors.push(processor);
}

export interface InstrumentOptions {
  /** Whether an incoming `traceparent` header may become the parent of the request's span. */
  acceptTraceContext?: (request: Request, env: Env) => boolean;
}

let processor: InvocationSpanProcessor | undefined;

const runtimeBatch = new AsyncLocalStorage<MessageBatch<unknown>>();

/**
 * The runtime's own message behind otel-cf-workers' proxy. Why: its rc.52 message proxy calls
 * `retry()` without arguments, dropping `{ delaySeconds }`, so backoff would silently vanish.
 */
export function runtimeMessage<T>(message: Message<T>): Message<T> {
  const original = runtimeBatch.getStore()?.messages.find((m) => m.id === message.id);
  return (original as Message<T> | undefined) ?? message;
}

function traceConfig(service: ServiceName, options: InstrumentOptions): ResolveConfigFn<Env> {
  return (env: Env): TraceConfig => {
    const settings = readOtelSettings(env);
    // otel-cf-workers builds its provider once per isolate from the first config: keep one processor too.
    processor ??= new InvocationSpanProcessor(
      new OtlpJsonExporter({
        url: settings.tracesUrl,
        headers: settings.headers,
        timeoutMs: settings.exportTimeoutMs,
        extraResource: { 'deployment.environment.name': settings.environment, 'deployment.environment': settings.environment },
      }),
    );
    return {
      service: { name: service, version: settings.version, namespace: 'weather-landscape' },
      spanProcessors: [processor, ...extraProcessors],
      sampling: { headSampler: new ParentRatioSampler(settings.samplingRatio) },
      handlers: {
        fetch: { acceptTraceContext: (request: Request) => options.acceptTraceContext?.(request, env) ?? false },
      },
    };
  };
}

/**
 * Wraps a worker's handlers with otel-cf-workers' `instrument()` and installs the log bridge.
 * With OTEL_SDK_DISABLED=true the plain handlers run instead: no spans, no exports.
 */
export function instrumentWorker(service: ServiceName, handler: ExportedHandler<Env>, options: InstrumentOptions = {}): ExportedHandler<Env> {
  installLogBridge(service);
  // instrument() replaces methods on the object it is given, so it gets a copy.
  const traced = instrument({ ...handler }, traceConfig(service, options));
  const pick = (env: Env) => (isTracingDisabled(env) ? handler : traced);
  const wrapped: ExportedHandler<Env> = {};
  if (handler.fetch) wrapped.fetch = (request, env, ctx) => pick(env).fetch!(request, env, ctx);
  if (handler.queue) wrapped.queue = (batch, env, ctx) => runtimeBatch.run(batch, () => pick(env).queue!(batch, env, ctx));
  if (handler.scheduled) wrapped.scheduled = (controller, env, ctx) => pick(env).scheduled!(controller, env, ctx);
  return wrapped;
}
