import { context, propagation, SpanStatusCode, trace, TraceFlags, type Attributes, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ERROR_TYPE_VALUE_OTHER } from '@opentelemetry/semantic-conventions';
import { scopeName } from './names';
import { RecordingTracer } from './tracer';

const tracers = new Map<string, Tracer>();

/**
 * Our tracers, one per instrumented thing: spans they start carry the scope `<scopePrefix>.<scope>`
 * (names.ts: `<prefix>.kv`, `.queue`, …), so the scope says which instrumentation made a span.
 * Kept per scope: a tracer keeps the scope name it was made with (tracer.ts).
 */
export function tracerFor(scope: string): Tracer {
  let tracer = tracers.get(scope);
  if (!tracer) tracers.set(scope, (tracer = new RecordingTracer({ name: scopeName(scope) })));
  return tracer;
}

/** An Error for anything thrown: a string or an object thrown by other code still records its message. */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const error = new Error(typeof thrown === 'string' ? thrown : safeString(thrown));
  error.name = ERROR_TYPE_VALUE_OTHER;
  return error;
}

function safeString(value: unknown): string {
  if (typeof value === 'function') return `[function ${value.name}]`;
  if (typeof value !== 'object' || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value); // a cycle: JSON cannot write it
  }
}

/**
 * Marks `span` failed: the exception event, ERROR status with the message, and `error.type`
 * (the error's class name, or `_OTHER` for plain Errors and non-Error throws, per the conventions).
 */
export function recordError(span: Span, thrown: unknown, errorType?: string): void {
  const error = asError(thrown);
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.setAttribute(ATTR_ERROR_TYPE, errorType ?? (error.name && error.name !== 'Error' ? error.name : ERROR_TYPE_VALUE_OTHER));
}

/**
 * The one way our code runs work in a span: start it active, record a throw, always end it.
 * Works for sync and async `fn`.
 */
export function inSpan<T>(tracer: Tracer, name: string, options: SpanOptions, fn: (span: Span) => T): T {
  return tracer.startActiveSpan(name, options, (span: Span) => endAfter(span, fn));
}

/**
 * The same for a leaf span (a KV, R2 or queue call, the renderer): nothing runs inside it that
 * could start a span or write a log line, so it is not made the active span, which spares a
 * context switch (an AsyncLocalStorage run) per operation.
 */
export function inLeafSpan<T>(tracer: Tracer, name: string, options: SpanOptions, fn: (span: Span) => T): T {
  return endAfter(tracer.startSpan(name, options), fn);
}

/** Runs `fn` and ends `span` when it has settled, failed with what it threw or rejected with. */
function endAfter<T>(span: Span, fn: (span: Span) => T): T {
  let result: T;
  try {
    result = fn(span);
  } catch (error) {
    recordError(span, error);
    span.end();
    throw error;
  }
  if (result instanceof Promise) {
    return (result as Promise<unknown>).then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        recordError(span, error);
        span.end();
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
}

/** The active trace's id, for records that link back to it; undefined when tracing is off. */
export function activeTraceId(): string | undefined {
  return trace.getActiveSpan()?.spanContext().traceId;
}

/** Adds what a step learned (e.g. which upstream provider answered) to the span it runs in. */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** The active context as the W3C `traceparent` it would propagate (e.g. for a response body); undefined when tracing is off. */
export function activeTraceparent(): { traceId: string; traceparent: string; sampled: boolean } | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!carrier.traceparent || !spanContext) return undefined;
  return { traceId: spanContext.traceId, traceparent: carrier.traceparent, sampled: (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 };
}

/** Links the active span to a span of another trace (e.g. a replay to the span that gave up on the message). */
export function linkActiveSpan(traceId: string, spanId: string, attributes: Attributes): void {
  trace.getActiveSpan()?.addLink({ context: { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true }, attributes });
}
