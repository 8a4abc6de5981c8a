import {
  context,
  INVALID_SPANID,
  ProxyTracerProvider,
  INVALID_TRACEID,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api';
import { isAttributeValue, type InstrumentationScope } from '@opentelemetry/core';
import { emptyResource, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Sampler, Span as SdkSpan, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { getContextAttributes } from './context-attributes';
import type { MillisecondTimes } from './otlp-json';

/**
 * Where the spans of an instrumented invocation go: the span processors that otel-cf-workers is
 * configured with, in the same order. otel-cf-workers hands its own spans (each invocation's root)
 * to the pipeline as its one span processor; our tracers ({@link RecordingTracer}) hand theirs
 * straight to it, sharing the sampler, and the resource, which the pipeline learns from the first
 * span otel-cf-workers starts (it builds the resource, once per isolate, from the service config).
 */
export class SpanPipeline implements SpanProcessor {
  resource: Resource | undefined;
  /**
   * Whether the spans of traces that were not head-sampled are recorded (the default), so that the
   * span processor can still export the pieces of work in which something failed (its error rule).
   * Without it, sampling is the standard head sampling: our tracers give such work non-recording
   * spans, and otel-cf-workers' own unsampled spans never reach the processors.
   */
  readonly recordsUnsampled: boolean;

  constructor(
    readonly sampler: Sampler,
    private readonly processors: readonly SpanProcessor[],
    options: { recordUnsampled?: boolean } = {},
  ) {
    this.recordsUnsampled = options.recordUnsampled ?? true;
  }

  /** A span otel-cf-workers' tracer started: the first one tells the resource. */
  onStart(span: SdkSpan, parentContext: Context): void {
    this.resource ??= span.resource;
    if (this.recordsUnsampled || (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) this.started(span, parentContext);
  }

  /** A span started here or by otel-cf-workers, for each processor. */
  started(span: SdkSpan | RecordingSpan, parentContext: Context): void {
    for (const processor of this.processors) processor.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if (!this.recordsUnsampled && (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    for (const processor of this.processors) processor.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown()));
  }
}

let pipeline: SpanPipeline | undefined;
let inInvocation: () => boolean = () => false;

/** The global provider's delegate while no SDK is registered: the API's no-op provider. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether a span started now would be recorded by someone: an instrumented invocation is running,
 * or an SDK provider is registered globally (a Node test). False with OTEL_SDK_DISABLED=true, where
 * work that only feeds spans (reading a message's carrier and context attributes) can be skipped.
 */
export function tracingActive(): boolean {
  if (pipeline !== undefined && inInvocation()) return true;
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider && provider.getDelegate() === NOOP_PROVIDER);
}

/** Sets the pipeline our tracers record into while `active()` says an instrumented invocation runs (instrument.ts). */
export function setSpanPipeline(given: SpanPipeline, active: () => boolean): void {
  pipeline = given;
  inInvocation = active;
}

/**
 * Our instrumentations' tracer: it records spans of its own ({@link RecordingSpan}) into the
 * {@link SpanPipeline} instead of going through otel-cf-workers' tracer, whose every span start
 * copies and checks its attributes three times, asks for its config in the context, and whose
 * spans all carry one scope name. A span here costs one copy of its attributes (with the context
 * attributes added) and carries the scope of the tracer that started it. Outside an instrumented
 * invocation (no pipeline set, or none running: a Node test with an SDK provider, an untraced
 * request) it is the global provider's tracer of the same scope name.
 */
export class RecordingTracer implements Tracer {
  private fallback: Tracer | undefined;

  constructor(readonly scope: InstrumentationScope) {}

  startSpan(name: string, options: SpanOptions = {}, given: Context = context.active()): Span {
    const into = pipeline;
    if (into === undefined || !inInvocation()) return (this.fallback ??= trace.getTracer(this.scope.name)).startSpan(name, options, given);
    const parentContext = options.root ? trace.deleteSpan(given) : given;
    const parent = trace.getSpanContext(parentContext);
    const kind = options.kind ?? SpanKind.INTERNAL;
    let attributes: Attributes | undefined;
    let spanContext: SpanContext;
    // A valid parent's decision is the child's (the parent-based rule of the sampler, without a
    // sampler call per span); spans whose context is invalid carry the all-zero ids.
    if (parent !== undefined && parent.traceId !== INVALID_TRACEID && parent.spanId !== INVALID_SPANID) {
      spanContext = {
        traceId: parent.traceId,
        spanId: randomHex(8),
        traceFlags: parent.traceFlags & (TraceFlags.SAMPLED | RANDOM_TRACE_ID),
        traceState: parent.traceState,
      };
    } else {
      const traceId = randomHex(16);
      attributes = copyAttributes(options.attributes, getContextAttributes(parentContext));
      const result = into.sampler.shouldSample(parentContext, traceId, name, kind, attributes, options.links ?? []);
      if (result.attributes) Object.assign(attributes, result.attributes);
      const sampled = result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE;
      spanContext = { traceId, spanId: randomHex(8), traceFlags: sampled | RANDOM_TRACE_ID, traceState: result.traceState };
    }
    // Standard head sampling (SpanPipeline.recordsUnsampled): the span only carries its context on.
    if (!into.recordsUnsampled && (spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return trace.wrapSpanContext(spanContext);
    attributes ??= copyAttributes(options.attributes, getContextAttributes(parentContext));
    const span = new RecordingSpan(
      into,
      this.scope,
      name,
      kind,
      spanContext,
      parent,
      attributes,
      options.links?.length ? [...options.links] : NONE,
      options.startTime,
    );
    into.started(span, parentContext);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: [F] | [SpanOptions, F] | [SpanOptions, Context, F]): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const options = args.length > 1 ? (args[0] as SpanOptions) : undefined;
    const parent = args.length > 2 ? (args[1] as Context) : context.active();
    const span = this.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

/** W3C Trace Context level 2's "random" trace flag, which otel-cf-workers sets on the traces it starts and children inherit. */
const RANDOM_TRACE_ID = 2;

/** The given attributes (valid values only, arrays copied) and then the context attributes they do not set. */
function copyAttributes(given: Attributes | undefined, inherited: Attributes | undefined): Attributes {
  const out: Attributes = {};
  if (given) for (const key in given) setValue(out, key, given[key]);
  if (inherited) for (const key in inherited) if (out[key] === undefined) out[key] = inherited[key];
  return out;
}

/** As the SDK's attribute rules: a key that is a non-empty string, a primitive or a homogeneous array (copied); anything else is dropped. */
function setValue(out: Attributes, key: string, value: unknown): void {
  if (key.length === 0) return;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      out[key] = value;
      return;
  }
  if (value === null) out[key] = null as unknown as AttributeValue;
  else if (Array.isArray(value) && isAttributeValue(value)) out[key] = value.slice();
}

/** Shared by every span that has no events or links: most spans, which so allocate no arrays for them. */
const NONE: never[] = [];
const UNSET: SpanStatus = { code: SpanStatusCode.UNSET };

/**
 * A span of ours, recorded whether or not its trace is sampled (the error rule may still export it,
 * span-processor.ts) and read by the export as it is: it is its own ReadableSpan. Spans are held
 * until the invocation's export, so each is kept small: no arrays until an event or link is added,
 * times kept as epoch milliseconds until read.
 */
export class RecordingSpan implements Span, ReadableSpan, MillisecondTimes {
  readonly startMs: number | HrTime;
  endMs: number | HrTime = 0;
  ended = false;
  status: SpanStatus = UNSET;
  events: TimedEvent[] = NONE;
  readonly resource: Resource;
  /**
   * A slot for the span processor's own note on this span (span-processor.ts: the unsampled work it
   * belongs to), so that it needs no map from spans to notes: one keyed by span id cost the
   * dispatcher at sampling 0.1 about 4 µs a message more (95 % interval 0.2 to 7.0, 2026-12-06).
   */
  processorNote: unknown = undefined;

  constructor(
    private readonly pipeline: SpanPipeline,
    readonly instrumentationScope: InstrumentationScope,
    public name: string,
    readonly kind: SpanKind,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    readonly attributes: Attributes,
    public links: Link[],
    startTime: TimeInput | undefined,
  ) {
    this.startMs = timeOf(startTime);
    this.resource = pipeline.resource ?? EMPTY_RESOURCE;
  }

  get startTime(): HrTime {
    return hrTime(this.startMs);
  }

  get endTime(): HrTime {
    return hrTime(this.endMs);
  }

  get duration(): HrTime {
    const [startSeconds, startNanos] = this.startTime;
    const [endSeconds, endNanos] = this.endTime;
    let seconds = endSeconds - startSeconds;
    let nanos = endNanos - startNanos;
    if (nanos < 0) {
      seconds -= 1;
      nanos += 1e9;
    }
    return [seconds, nanos];
  }

  get droppedAttributesCount(): number {
    return 0;
  }

  get droppedEventsCount(): number {
    return 0;
  }

  get droppedLinksCount(): number {
    return 0;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (!this.ended) setValue(this.attributes, key, value);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    if (!this.ended) for (const key in attributes) setValue(this.attributes, key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    let attributes: Attributes | undefined;
    if (isTimeInput(attributesOrTime)) time = attributesOrTime;
    else if (attributesOrTime) attributes = copyAttributes(attributesOrTime, undefined);
    if (this.events === NONE) this.events = [];
    this.events.push({ name, attributes: attributes ?? {}, time: hrTime(timeOf(time)), droppedAttributesCount: 0 });
    return this;
  }

  addLink(link: Link): this {
    return this.addLinks([link]);
  }

  addLinks(links: Link[]): this {
    if (this.ended || links.length === 0) return this;
    if (this.links === NONE) this.links = [];
    this.links.push(...links);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.ended) this.status = status;
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    this.endMs = timeOf(endTime);
    this.pipeline.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  /** The conventions' `exception` event (`exception.type`, `.message`, `.stacktrace`), as otel-cf-workers writes it. */
  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else {
      if (exception.code) attributes['exception.type'] = String(exception.code);
      else if (exception.name) attributes['exception.type'] = exception.name;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    this.addEvent('exception', attributes, time);
  }
}

/** Only before otel-cf-workers' first span of the isolate, which instrumentWorker's invocations always start first. */
const EMPTY_RESOURCE = emptyResource();

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number');
}

/**
 * A time input as epoch milliseconds (or the HrTime given), Date.now() when none is given, as
 * otel-cf-workers does: workerd's performance.now() and Date.now() both advance only on I/O, and
 * Date.now() is the epoch time.
 */
function timeOf(time: TimeInput | undefined): number | HrTime {
  if (time === undefined) return Date.now();
  if (Array.isArray(time)) return time;
  return time instanceof Date ? time.getTime() : time;
}

/** [seconds, nanoseconds] */
function hrTime(time: number | HrTime): HrTime {
  return typeof time === 'number' ? [Math.trunc(time / 1e3), (time % 1e3) * 1e6] : time;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Random bytes are drawn a pool at a time: one getRandomValues call per 512 span ids rather than per id. */
const pool = new Uint8Array(4096);
let used = pool.length;

/** `bytes` random bytes as lowercase hex, never all zero (the invalid id). */
function randomHex(bytes: number): string {
  for (;;) {
    if (used + bytes > pool.length) {
      crypto.getRandomValues(pool);
      used = 0;
    }
    let hex = '';
    let any = 0;
    for (let i = 0; i < bytes; i++) {
      const b = pool[used++];
      any |= b;
      hex += HEX[b];
    }
    if (any !== 0) return hex;
  }
}
