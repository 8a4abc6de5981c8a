import { context, SpanStatusCode, TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { exportFailureNotice } from './export-warnings';
import { getContextAttributes } from './context-attributes';
import { ownAttribute } from './names';
import { RecordingSpan } from './tracer';

/** On spans exported although their trace was not head-sampled, because something failed in it: `<attributeNamespace>.sampling.kept_for_error`. */
export const keptForErrorAttribute = (): string => ownAttribute('sampling.kept_for_error');

/** `span` as exported with `key` = `value` added, the span itself untouched (its other fields read through). */
function withAttribute(span: ReadableSpan, key: string, value: boolean): ReadableSpan {
  return Object.create(span, { attributes: { value: { ...span.attributes, [key]: value }, enumerable: true } }) as ReadableSpan;
}

/** Spans that count as a failure for the error rule although their status is not ERROR. */
const failureRecords = new WeakSet<object>();

/**
 * Makes `span` count as a failure for the error rule (its unsampled trace's spans in this invocation
 * are exported, marked {@link keptForErrorAttribute}) without marking it failed: for work that went
 * well but records a failure, such as storing a dead letter, the last step of a failed run.
 */
export function keepAsFailureRecord(span: object): void {
  failureRecords.add(span);
}

// Read once into constants: onEnd runs for every span, and a bundled @opentelemetry/api export is read through getters.
const SAMPLED = TraceFlags.SAMPLED;
const ERROR = SpanStatusCode.ERROR;

/** The spans of one export, each written as it is added (otlp-json.ts's OtlpJsonBody). */
export interface SpanBody {
  add(span: ReadableSpan): void;
}

/** An exporter given its spans as they end, written into a body, rather than as span objects at the end (exporter.ts). */
export interface BodyExporter extends SpanExporter {
  newBody(): SpanBody;
  exportBody(body: SpanBody, done: (result: ExportResult) => void): void;
}

function takesBodies(exporter: SpanExporter): exporter is BodyExporter {
  return typeof (exporter as Partial<BodyExporter>).newBody === 'function';
}

/**
 * Collects the spans of one worker invocation and sends them in ONE export when it ends
 * (otel-cf-workers calls forceFlush from ctx.waitUntil), or one per 10,000 spans past that. Three rules decide what goes:
 * - head-sampled spans go;
 * - spans of an unsampled trace go only if one of them, in this invocation, failed (ERROR status:
 *   an exception, a retry, a dead letter) or records a failure ({@link keepAsFailureRecord}), marked
 *   with {@link keptForErrorAttribute}: the runs an engineer most needs are never sampled away, and
 *   healthy unsampled runs cost no export;
 * - spans marked {@link suppress} (otel-cf-workers' per-invocation queue batch span, a one-span
 *   trace of its own) never go: each message's `process` span carries what it knew.
 * A sampled span is written into the export's body as it ends (for exporters that take bodies, as
 * the OTLP exporter does); the span object is kept only for exporters that want objects (a test's
 * in-memory exporter). Unsampled spans are kept as objects until the invocation's end decides.
 * Also stamps the context attributes (context-attributes.ts) on every span started under them by
 * another tracer than ours (ours do it themselves, tracer.ts).
 */
export class InvocationSpanProcessor implements SpanProcessor {
  private readonly bodyExporters: readonly BodyExporter[];
  private readonly objectExporters: readonly SpanExporter[];
  private bodies: SpanBody[];
  private sampled: ReadableSpan[] = [];
  private sampledCount = 0;
  private unsampled = new Map<string, { spans: ReadableSpan[]; failed: boolean }>();
  private readonly suppressed = new WeakSet<object>();
  /**
   * Upper bound on spans held at once, so a huge invocation cannot grow memory without limit. Past
   * it, the sampled spans (already decided) go in an export of their own right away rather than
   * being dropped; only undecided ones (unsampled traces that have not failed) are dropped, counted
   * and reported once at the end.
   */
  private static readonly MAX_BUFFERED = 10_000;
  private buffered = 0;
  private dropped = 0;
  private early: Promise<void>[] = [];

  /** Each exporter gets the spans as they ended: the export view is the exporter's part (exporter.ts). */
  constructor(exporters: readonly SpanExporter[]) {
    this.bodyExporters = exporters.filter(takesBodies);
    this.objectExporters = exporters.filter((e) => !takesBodies(e));
    this.bodies = this.bodyExporters.map((e) => e.newBody());
  }

  suppress(span: object): void {
    this.suppressed.add(span);
  }

  onStart(span: Span, parentContext: Context): void {
    // Our tracer's spans got them when they started (tracer.ts).
    if (span instanceof RecordingSpan) return;
    const run = getContextAttributes(parentContext);
    if (!run) return;
    for (const key in run) if (span.attributes[key] === undefined) span.setAttribute(key, run[key]!);
  }

  onEnd(span: ReadableSpan): void {
    if (this.suppressed.has(span)) return;
    if (this.buffered >= InvocationSpanProcessor.MAX_BUFFERED) {
      if (this.sampledCount === 0) {
        this.dropped++;
        return;
      }
      this.buffered -= this.sampledCount;
      this.early.push(this.sendSampled());
    }
    this.buffered++;
    const context = span.spanContext();
    if ((context.traceFlags & SAMPLED) !== 0) {
      this.take(span);
      return;
    }
    let trace = this.unsampled.get(context.traceId);
    if (!trace) this.unsampled.set(context.traceId, (trace = { spans: [], failed: false }));
    trace.spans.push(span);
    if (span.status.code === ERROR || failureRecords.has(span)) trace.failed = true;
  }

  /** A span that goes: into each body, and kept for the object exporters. */
  private take(span: ReadableSpan): void {
    for (const body of this.bodies) body.add(span);
    if (this.objectExporters.length > 0) this.sampled.push(span);
    this.sampledCount++;
  }

  /** The trace id is ignored on purpose: everything ended so far goes in the one export. */
  async forceFlush(_traceId?: string): Promise<void> {
    const keptForError = keptForErrorAttribute();
    for (const trace of this.unsampled.values()) {
      if (!trace.failed) continue;
      // An ended span is read-only: the export gets a view of it with the one attribute more.
      for (const span of trace.spans) this.take(withAttribute(span, keptForError, true));
    }
    this.unsampled.clear();
    this.buffered = 0;
    const early = this.early;
    this.early = [];
    if (this.dropped > 0) {
      console.warn(`span buffer full (${InvocationSpanProcessor.MAX_BUFFERED} spans): dropped ${this.dropped} spans of unsampled traces that had not failed`, {
        action: 'error',
      });
      this.dropped = 0;
    }
    await Promise.all([...early, this.sendSampled()]);
  }

  /** Sends the spans taken so far and starts a new export. */
  private async sendSampled(): Promise<void> {
    const count = this.sampledCount;
    if (count === 0) return;
    const bodies = this.bodies;
    const spans = this.sampled;
    this.bodies = this.bodyExporters.map((e) => e.newBody());
    this.sampled = [];
    this.sampledCount = 0;
    // The export's own fetch must not be traced (it would make spans, and exports, of its own).
    await context.with(suppressTracing(context.active()), () =>
      Promise.all([
        ...this.bodyExporters.map((exporter, i) => this.exportWith(count, (done) => exporter.exportBody(bodies[i], done))),
        ...this.objectExporters.map((exporter) => this.exportWith(count, (done) => exporter.export(spans, done))),
      ]),
    );
  }

  private async exportWith(count: number, send: (done: (result: ExportResult) => void) => void): Promise<void> {
    const result = await new Promise<ExportResult>(send);
    if (result.code !== ExportResultCode.SUCCESS) exportFailureNotice(result.error, count);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }
}
