import * as cloudflareWorkers from 'cloudflare:workers';
import { context, createContextKey, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ownAttribute } from './names';

/**
 * The link between Cloudflare's native trace of an invocation (Workers tracing: what the dashboard
 * shows) and our OpenTelemetry traces, both ways:
 * - the native invocation span gets our trace id(s) and the context attributes named by
 *   {@link setNativeAttributeNames}, so searching the dashboard's traces for one of our trace ids
 *   finds every invocation that took part in it;
 * - our spans that enter a trace in this invocation (the root span, each `process` span, each
 *   `scheduled run`) get the native trace and span id.
 * Names and behaviour: docs/native-tracing.md.
 */

/** On our spans: the native trace of the invocation they ran in. */
export const ATTR_CLOUDFLARE_TRACE_ID = 'cloudflare.trace_id';
/** On our spans: the native invocation span (the span whose attributes hold ours). */
export const ATTR_CLOUDFLARE_SPAN_ID = 'cloudflare.span_id';
/** On the native span: the ids of our traces the invocation took part in, comma-separated, first seen first (`<attributeNamespace>.trace_id`). */
export const nativeOtelTraceIdAttribute = (): string => ownAttribute('trace_id');

/** The attributes of our spans that the native span is told too (instrumentWorker: the keys of `logFields`). */
let nativeAttributeNames: readonly string[] = [];
export function setNativeAttributeNames(names: readonly string[]): void {
  nativeAttributeNames = names;
}

/** What this module uses of the runtime's `tracing` (from `cloudflare:workers`). */
export type NativeTracing = Pick<Tracing, 'getActiveSpan'>;
type NativeSpan = NonNullable<ReturnType<Tracing['getActiveSpan']>>;

function detect(tracing: unknown): NativeTracing | undefined {
  return typeof (tracing as Partial<NativeTracing> | undefined)?.getActiveSpan === 'function' ? (tracing as NativeTracing) : undefined;
}

// Once per isolate. A namespace import, not `import { tracing }`: on a runtime whose module lacks the
// export, a named import would fail to link and take the worker down.
let nativeTracing = detect((cloudflareWorkers as Partial<typeof cloudflareWorkers>).tracing);

/** Whether the runtime has the API (decided once per isolate). */
export function hasNativeTracing(): boolean {
  return nativeTracing !== undefined;
}

/**
 * For tests: stands in for the runtime's `tracing` (`undefined`: a runtime without it). Call
 * before the first invocation: instrument.ts decides once whether to link at all.
 */
export function useNativeTracing(tracing: NativeTracing | undefined): void {
  nativeTracing = detect(tracing);
}

/** One invocation's link: the native span, and our spans that entered a trace in it. */
class NativeLink {
  readonly ids: Attributes;
  private readonly entries: Array<Pick<ReadableSpan, 'spanContext'> & { attributes?: Attributes }> = [];

  constructor(private readonly native: NativeSpan) {
    const { traceId, spanId } = native.spanContext();
    this.ids = { [ATTR_CLOUDFLARE_TRACE_ID]: traceId, [ATTR_CLOUDFLARE_SPAN_ID]: spanId };
  }

  enter(span: Span | SdkSpan): void {
    if (!span.isRecording()) return;
    span.setAttributes(this.ids);
    this.entries.push(span);
  }

  /**
   * Tells the native span, once at the end (each attribute set is an event to the runtime's tail,
   * so each is set once, with its final value): our trace ids and each named attribute, as the
   * distinct values comma-separated (the span API takes no arrays). A batch's messages of one trace
   * give one trace id; a mixed batch, lists.
   */
  end(): void {
    const traceIdAttribute = nativeOtelTraceIdAttribute();
    const values = new Map<string, Set<string>>([[traceIdAttribute, new Set()]]);
    for (const span of this.entries) {
      values.get(traceIdAttribute)!.add(span.spanContext().traceId);
      for (const name of nativeAttributeNames) {
        const value = span.attributes?.[name];
        if (value === undefined) continue;
        let seen = values.get(name);
        if (!seen) values.set(name, (seen = new Set()));
        seen.add(String(value));
      }
    }
    const attributes: Record<string, string> = {};
    for (const [name, seen] of values) if (seen.size > 0) attributes[name] = [...seen].join(',');
    this.native.setAttributes(attributes);
  }
}

const NATIVE_LINK = createContextKey('otel native trace link');

/**
 * Runs one invocation's handler linked to the native trace: `root` (our invocation span, when it is
 * exported) and every span that enters a trace inside `fn` are tied to the native span, which is
 * told our trace ids when `fn` settles. Where the runtime has no `tracing`, or does not trace this
 * invocation (`isTraced` false: ids all zero), `fn` just runs.
 */
export function withNativeTraceLink<T>(root: Span | undefined, fn: () => T | Promise<T>): T | Promise<T> {
  const native = nativeTracing?.getActiveSpan();
  if (!native?.isTraced) return fn();
  const link = new NativeLink(native);
  if (root) link.enter(root);
  return context.with(context.active().setValue(NATIVE_LINK, link), async () => {
    try {
      return await fn();
    } finally {
      link.end();
    }
  });
}

/**
 * Ties each span that enters a trace (no parent in this invocation: a root, or a remote parent such
 * as a queue message's producer) to the invocation's native span. Only registered where the runtime
 * has `tracing`.
 */
export class NativeTraceLinkProcessor implements SpanProcessor {
  onStart(span: SdkSpan, parentContext: Context): void {
    const link = parentContext.getValue(NATIVE_LINK) as NativeLink | undefined;
    if (!link) return;
    const parent = trace.getSpanContext(parentContext);
    if (parent && !parent.isRemote) return;
    link.enter(span);
  }

  onEnd(): void {}

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
