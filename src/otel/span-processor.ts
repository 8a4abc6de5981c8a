import { TraceFlags, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Buffers every sampled span of the isolate and sends them all in ONE export when the
 * invocation ends (otel-cf-workers calls forceFlush(traceId) from ctx.waitUntil).
 * otel-cf-workers' own BatchTraceSpanProcessor sends one POST per trace, so a batch of
 * 10 messages from 10 traces would cost 10 POSTs; this one costs 1.
 * A failed export is logged once and dropped: telemetry never fails or blocks the work.
 */
export class InvocationSpanProcessor implements SpanProcessor {
  private buffer: ReadableSpan[] = [];
  /** Upper bound so a collector outage cannot grow memory without limit. */
  private static readonly MAX_BUFFERED = 10_000;

  constructor(private readonly exporter: SpanExporter) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.buffer.length < InvocationSpanProcessor.MAX_BUFFERED) this.buffer.push(span);
  }

  /** The trace id is ignored on purpose: everything ended so far goes in the one POST. */
  async forceFlush(_traceId?: string): Promise<void> {
    if (this.buffer.length === 0) return;
    const spans = this.buffer;
    this.buffer = [];
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => this.exporter.export(spans, resolve));
    if (result.code !== 0) {
      console.warn('span export failed; spans dropped', { spans: spans.length, error: String(result.error?.message ?? result.error) });
    }
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }
}
