import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { Attributes, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redactString } from './redact';
import { cleanAttributes } from './attribute-hygiene';
import type { ExportResult } from '@opentelemetry/core';
import { OtlpJsonBody, otlpJsonSerializer, type SpanTransform } from './otlp-json';
import type { BodyExporter, SpanBody } from './span-processor';

export interface OtlpExporterOptions {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** What the export changes in each span, applied while the body is written (default: nothing). */
  view?: ExportView;
}

/**
 * One exporter serves the isolate, and an isolate runs many invocations at once, each exporting once
 * at its end: past the exporter's default limit of 30 exports in flight it drops whole exports
 * ("Concurrent export limit reached"), so the limit is set well above what an isolate runs at once.
 */
const CONCURRENT_EXPORTS = 1_000;

/**
 * The OTLP/HTTP JSON exporter of the design card, @opentelemetry/exporter-trace-otlp-http (its
 * fetch transport, 0.204+). It sends through `fetch.__original` when fetch is instrumented, which
 * our fetch instrumentation provides (fetch.ts), so an export makes no span and sends no
 * traceparent of its own. It retries a refused connection or a 429/5xx until `timeoutMs`.
 */
export function createOtlpExporter(options: OtlpExporterOptions): SpanExporter | BodyExporter {
  const exporter = new OTLPTraceExporter({
    url: options.url,
    headers: options.headers,
    timeoutMillis: options.timeoutMs,
    concurrencyLimit: CONCURRENT_EXPORTS,
  });
  if (!useDirectJsonBody(exporter, options.view)) return exporter;
  // The body goes where the spans would, to the serializer swapped in above, which sends its bytes.
  return Object.assign(exporter, {
    newBody: () => new OtlpJsonBody(options.view),
    exportBody: (body: SpanBody, done: (result: ExportResult) => void) => exporter.export(body as unknown as ReadableSpan[], done),
  });
}

/**
 * The exporter keeps its transport (fetch, retries, timeout, concurrency limit, response handling)
 * and writes the body with otlp-json.ts instead of its own serializer, which gives the same bytes
 * at a fraction of the cost. The package takes no serializer option, so it is swapped on the
 * export delegate (a private field of the exact version pinned in package.json); should a new
 * version move it, the package's own serializer stays, the exporter takes span objects, and only speed is
 * lost (test/node/otel/otlp-json.test.ts fails then, so the upgrade notices).
 */
function useDirectJsonBody(exporter: OTLPTraceExporter, view: SpanTransform | undefined): boolean {
  const delegate = (exporter as unknown as { _delegate?: { _serializer?: { serializeRequest?: unknown; deserializeResponse?: unknown } } })._delegate;
  const serializer = delegate?._serializer;
  if (typeof serializer?.serializeRequest !== 'function' || typeof serializer.deserializeResponse !== 'function') return false;
  delegate!._serializer = {
    serializeRequest: (spans: ReadableSpan[] | OtlpJsonBody) =>
      spans instanceof OtlpJsonBody ? spans.bytes() : otlpJsonSerializer.serializeRequest(spans, view),
    deserializeResponse: serializer.deserializeResponse,
  };
  return true;
}

/**
 * Resource attributes otel-cf-workers sets that say nothing true: `cloud.region` is `earth` for every
 * worker (a Workers invocation runs in the Cloudflare data center nearest its caller, which the
 * resource, built once per isolate, cannot know; deployed, a request's span says it: attribute-hygiene.ts).
 */
const UNTRUE_RESOURCE_ATTRIBUTES = ['cloud.region'];

/**
 * What leaves the worker for each span: clean attributes (attribute-hygiene.ts: no empty values,
 * secrets redacted, in events and links too), a redacted status message, and its resource without
 * the untrue attributes and with the extra ones; the span itself is untouched. The OTLP exporter
 * applies it while writing the body (createOtlpExporter's `view`); {@link withExportView} gives
 * any other exporter the same view as span copies.
 */
export class ExportView implements SpanTransform {
  private readonly extraResource?: Resource;
  /**
   * The serializer groups spans by resource object identity: merging per span would give every
   * span its own resourceSpans entry (and repeat the resource block), so merge once per resource.
   */
  private readonly merged = new WeakMap<Resource, Resource>();

  constructor(extraResource?: Record<string, string>) {
    this.extraResource = extraResource ? resourceFromAttributes(extraResource) : undefined;
  }

  attributes(attributes: Attributes): Attributes {
    return cleanAttributes(attributes);
  }

  status(status: SpanStatus): SpanStatus {
    return status.message ? { ...status, message: redactString(status.message) } : status;
  }

  resource(resource: Resource): Resource {
    let merged = this.merged.get(resource);
    if (!merged) {
      const attributes = { ...resource.attributes };
      for (const key of UNTRUE_RESOURCE_ATTRIBUTES) delete attributes[key];
      merged = resourceFromAttributes(attributes, { schemaUrl: resource.schemaUrl });
      if (this.extraResource) merged = merged.merge(this.extraResource);
      this.merged.set(resource, merged);
    }
    return merged;
  }

  /** The span as exported, as a plain copy. */
  of(span: ReadableSpan): ReadableSpan {
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
      attributes: this.attributes(span.attributes),
      events: span.events.map((e) => (e.attributes ? { ...e, attributes: this.attributes(e.attributes) } : e)),
      links: span.links.map((l) => (l.attributes ? { ...l, attributes: this.attributes(l.attributes) } : l)),
      status: this.status(span.status),
      resource: this.resource(span.resource),
      instrumentationScope: span.instrumentationScope,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
    };
  }
}

/** `exporter`, given each span as {@link ExportView.of} makes it: what the OTLP exporter sends. */
export function withExportView(exporter: SpanExporter, view: ExportView): SpanExporter {
  return {
    export: (spans, done) =>
      exporter.export(
        spans.map((span) => view.of(span)),
        done,
      ),
    shutdown: () => exporter.shutdown(),
    forceFlush: exporter.forceFlush ? () => exporter.forceFlush!() : undefined,
  };
}
