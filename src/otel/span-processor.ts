import { context, SpanStatusCode, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { exportFailureNotice } from './export-warnings';
import { getContextAttributes } from './context-attributes';
import { ownAttribute } from './names';
import { ShapeKeeper } from './shape-keeper';
import { RecordingSpan } from './tracer';

/** On spans exported although their trace was not head-sampled, because something failed in their piece of work: `<attributeNamespace>.sampling.kept_for_error`. */
export const keptForErrorAttribute = (): string => ownAttribute('sampling.kept_for_error');

/** `span` as exported with {@link keptForErrorAttribute} added: an ended span is read-only, so the export gets a view of it (its other fields read through). */
function keptForError(span: ReadableSpan): ReadableSpan {
  return Object.create(span, { attributes: { value: { ...span.attributes, [keptForErrorAttribute()]: true }, enumerable: true } }) as ReadableSpan;
}

/** Spans that count as a failure for the error rule although their status is not ERROR. */
const failureRecords = new WeakSet<object>();

/**
 * Makes `span` count as a failure for the error rule (the unsampled spans of its piece of work are
 * exported, marked {@link keptForErrorAttribute}) without marking it failed: for work that went
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
 * The unsampled spans of one piece of work in an invocation (a message's `process` span, a
 * request's or cron's root span, with everything started under it), held until its last open span
 * ends and then exported, if something in it failed, or let go.
 */
interface UnsampledTree {
  spans: ReadableSpan[];
  /** Its spans started and not yet ended. */
  open: number;
  failed: boolean;
}

/**
 * Collects the spans of one worker invocation and sends them in ONE export when it ends
 * (otel-cf-workers calls forceFlush from ctx.waitUntil), or one per 10,000 spans past that. Three rules decide what goes:
 * - head-sampled spans go;
 * - spans of an unsampled trace go only if something in their piece of work failed (ERROR status:
 *   an exception, a retry, a dead letter) or records a failure ({@link keepAsFailureRecord}),
 *   marked with {@link keptForErrorAttribute}. A piece of work is a span whose parent is not an
 *   open span of this isolate (a message's `process` span, whose parent is the producer's; a
 *   request's or cron's root) and everything started under it; it is decided when its last span
 *   ends. So the runs an engineer most needs are never sampled away, healthy unsampled work costs
 *   no export, and its spans are let go as soon as it is done rather than held to the
 *   invocation's end (which cost the dispatcher at sampling 0.1 about 10 µs a message more, 95 %
 *   interval 5.7 to 14.8, by bench:ab's method on 2026-12-06; the generator's −5.8 was within its noise);
 * - spans marked {@link suppress} (otel-cf-workers' per-invocation queue batch span, a one-span
 *   trace of its own) never go: each message's `process` span carries what it knew.
 * A span that goes is written into the export's body soon after it is taken, a few at a time (for
 * exporters that take bodies, as the OTLP exporter does); the span object is kept only for
 * exporters that want objects (a test's in-memory exporter). Also stamps the context attributes (context-attributes.ts) on
 * every span started under them by another tracer than ours (ours do it themselves, tracer.ts).
 */
export class InvocationSpanProcessor implements SpanProcessor {
  private readonly bodyExporters: readonly BodyExporter[];
  private readonly objectExporters: readonly SpanExporter[];
  private bodies: SpanBody[];
  private taken: ReadableSpan[] = [];
  private takenCount = 0;
  /**
   * Taken spans not yet written into the bodies: they are written {@link WRITTEN_TOGETHER} at a
   * time, so the writer's code runs warm for all but the first. In the generator, whose spans end
   * between drawing pictures, writing each span as it was taken read about 10 µs a message more
   * (bench:ab, two runs: 9.4, 95 % interval −1.9 to 22.0, and 10.2, −4.9 to 27.0), in the
   * dispatcher 0.8 (−0.9 to 2.6), 2026-12-06. Weak evidence: the same day a change that left the
   * traced path alone read −30.8 (−58.0 to −9.0) in the generator.
   */
  private unwritten: ReadableSpan[] = [];
  private static readonly WRITTEN_TOGETHER = 4;
  /** The unsampled work each open span of another tracer than ours (otel-cf-workers' roots) belongs to. */
  private readonly otherTrees = new Map<object, UnsampledTree>();
  private readonly suppressed = new WeakSet<object>();
  /**
   * Upper bound on spans held at once, so a huge invocation cannot grow memory without limit: past
   * it, taken spans go in an export of their own right away, and ended unsampled spans whose work
   * is undecided (nothing in it has failed yet) are dropped, counted and reported once at the end.
   * A failed span always goes.
   */
  private static readonly MAX_BUFFERED = 10_000;
  private held = 0;
  private dropped = 0;
  /**
   * The last spans that ended, kept past their export so that the shapes of spans and of their
   * attributes outlive the invocation (shape-keeper.ts): a fixed ring of {@link KEPT_SHAPES}, each
   * kind of span of a message many times over.
   */
  private static readonly KEPT_SHAPES = 128;
  private readonly recentSpans = new ShapeKeeper<ReadableSpan>(InvocationSpanProcessor.KEPT_SHAPES);
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
    if (!(span instanceof RecordingSpan)) {
      const run = getContextAttributes(parentContext);
      if (run) for (const key in run) if (span.attributes[key] === undefined) span.setAttribute(key, run[key]!);
    }
    if ((span.spanContext().traceFlags & SAMPLED) !== 0) return;
    const parent = trace.getSpan(parentContext);
    let tree = parent === undefined ? undefined : this.treeOf(parent);
    // A parent whose work was decided (it ended, and all under it) starts new work.
    if (tree === undefined || tree.open === 0) tree = { spans: [], open: 0, failed: false };
    tree.open++;
    if (span instanceof RecordingSpan) span.processorNote = tree;
    // Bounded: should spans of another tracer never end, their work is not held without limit.
    else if (this.otherTrees.size < InvocationSpanProcessor.MAX_BUFFERED) this.otherTrees.set(span, tree);
  }

  /** The unsampled work `span` belongs to while it is open (ours keep it on the span, tracer.ts). */
  private treeOf(span: object): UnsampledTree | undefined {
    return span instanceof RecordingSpan ? (span.processorNote as UnsampledTree | undefined) : this.otherTrees.get(span);
  }

  onEnd(span: ReadableSpan): void {
    this.recentSpans.keep(span);
    if ((span.spanContext().traceFlags & SAMPLED) !== 0) {
      if (!this.suppressed.has(span)) this.take(span);
      return;
    }
    const tree = this.treeOf(span);
    if (!(span instanceof RecordingSpan)) this.otherTrees.delete(span);
    if (!this.suppressed.has(span)) {
      const failed = span.status.code === ERROR || failureRecords.has(span);
      if (failed && tree !== undefined) tree.failed = true;
      if (tree !== undefined && this.held < InvocationSpanProcessor.MAX_BUFFERED) {
        tree.spans.push(span);
        this.held++;
      } else if (failed || tree?.failed) this.take(keptForError(span));
      // No room to hold it until its work is decided.
      else if (tree !== undefined) this.dropped++;
      // A span started before this processor saw it (no tree) and not failed: decided, not exported.
    }
    if (tree !== undefined && --tree.open === 0) this.decide(tree);
  }

  /** A piece of unsampled work has ended: exported if something in it failed, let go otherwise. */
  private decide(tree: UnsampledTree): void {
    this.held -= tree.spans.length;
    if (tree.failed) for (const span of tree.spans) this.take(keptForError(span));
    tree.spans = [];
  }

  /** A span that goes: into each body, and kept for the object exporters; past the bound, what was taken goes at once. */
  private take(span: ReadableSpan): void {
    if (this.takenCount >= InvocationSpanProcessor.MAX_BUFFERED) this.early.push(this.sendTaken());
    if (this.unwritten.push(span) === InvocationSpanProcessor.WRITTEN_TOGETHER) this.writeUnwritten();
    if (this.objectExporters.length > 0) this.taken.push(span);
    this.takenCount++;
  }

  private writeUnwritten(): void {
    for (const span of this.unwritten) for (const body of this.bodies) body.add(span);
    this.unwritten = [];
  }

  /**
   * The trace id is ignored on purpose: everything taken so far goes in the one export. Unsampled
   * work still open (another invocation of the isolate still running) stays held: it is decided
   * when it ends, and goes in a later export if it failed.
   */
  async forceFlush(_traceId?: string): Promise<void> {
    const early = this.early;
    this.early = [];
    if (this.dropped > 0) {
      console.warn(
        `span buffer full (${InvocationSpanProcessor.MAX_BUFFERED} spans): dropped ${this.dropped} spans of unsampled work in which nothing had failed yet`,
        {
          action: 'error',
        },
      );
      this.dropped = 0;
    }
    await Promise.all([...early, this.sendTaken()]);
  }

  /** Sends the spans taken so far and starts a new export. */
  private async sendTaken(): Promise<void> {
    const count = this.takenCount;
    if (count === 0) return;
    this.writeUnwritten();
    const bodies = this.bodies;
    const spans = this.taken;
    this.bodies = this.bodyExporters.map((e) => e.newBody());
    this.taken = [];
    this.takenCount = 0;
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
