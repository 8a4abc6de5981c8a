import { __unwrappedFetch } from '@microlabs/otel-cf-workers';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redactAttributes, redactString } from './redact';

export interface OtlpExporterOptions {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Resource attributes the instrumentation cannot set itself (e.g. deployment.environment.name). */
  extraResource?: Record<string, string>;
}

/**
 * OTLP/HTTP JSON span exporter for workerd.
 * Why not @opentelemetry/exporter-trace-otlp-http: its 0.200 browser build (the one bundlers pick
 * for workerd) sends with XMLHttpRequest or sendBeacon, neither of which exists in Workers.
 * This one uses the same serializer (@opentelemetry/otlp-transformer), the uninstrumented fetch
 * (so exports make no spans of their own), a hard timeout, and redacts secrets first.
 */
export class OtlpJsonExporter implements SpanExporter {
  private readonly extraResource?: Resource;
  /**
   * The serializer groups spans by resource object identity: merging per span would give every
   * span its own resourceSpans entry (and repeat the resource block), so merge once per resource.
   */
  private readonly merged = new WeakMap<Resource, Resource>();

  constructor(private readonly options: OtlpExporterOptions) {
    this.extraResource = options.extraResource ? resourceFromAttributes(options.extraResource) : undefined;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.send(spans).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: Error) => done({ code: ExportResultCode.FAILED, error }),
    );
  }

  async send(spans: ReadableSpan[]): Promise<void> {
    const body = JsonTraceSerializer.serializeRequest(spans.map((span) => this.prepare(span)));
    if (!body) throw new Error('OTLP serialization failed');
    const response = await __unwrappedFetch(this.options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.options.headers },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    // Drain the body so the connection is released in workerd.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`OTLP receiver answered HTTP ${response.status}`);
  }

  /**
   * A plain copy of what the serializer reads, with secrets redacted and the extra resource merged;
   * the span itself is untouched. (A prototype-chained view was measurably slower to serialize.)
   */
  private prepare(span: ReadableSpan): ReadableSpan {
    const spanContext = span.spanContext();
    return {
      name: span.name,
      kind: span.kind,
      spanContext: () => spanContext,
      parentSpanContext: span.parentSpanContext,
      startTime: span.startTime,
      endTime: span.endTime,
      duration: span.duration,
      ended: span.ended,
      attributes: redactAttributes(span.attributes),
      events: span.events.map((e) => ({ ...e, attributes: e.attributes && redactAttributes(e.attributes) })),
      links: span.links.map((l) => ({ ...l, attributes: l.attributes && redactAttributes(l.attributes) })),
      status: span.status.message ? { ...span.status, message: redactString(span.status.message) } : span.status,
      resource: this.withExtraResource(span.resource),
      instrumentationScope: span.instrumentationScope,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
    };
  }

  private withExtraResource(resource: Resource): Resource {
    if (!this.extraResource) return resource;
    let merged = this.merged.get(resource);
    if (!merged) {
      merged = resource.merge(this.extraResource);
      this.merged.set(resource, merged);
    }
    return merged;
  }

  async shutdown(): Promise<void> {}
}
