import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redactString } from './redact';
import { cleanAttributes } from './attribute-hygiene';
import { otlpJsonSerializer } from './otlp-json';

export interface OtlpExporterOptions {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
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
export function createOtlpExporter(options: OtlpExporterOptions): SpanExporter {
  const exporter = new OTLPTraceExporter({
    url: options.url,
    headers: options.headers,
    timeoutMillis: options.timeoutMs,
    concurrencyLimit: CONCURRENT_EXPORTS,
  });
  useDirectJsonBody(exporter);
  return exporter;
}

/**
 * The exporter keeps its transport (fetch, retries, timeout, concurrency limit, response handling)
 * and writes the body with otlp-json.ts instead of its own serializer, which gives the same bytes
 * at a fraction of the cost. The package takes no serializer option, so it is swapped on the
 * export delegate (a private field of the exact version pinned in package.json); should a new
 * version move it, the package's own serializer stays and only speed is lost
 * (test/node/otel/otlp-json.test.ts fails then, so the upgrade notices).
 */
function useDirectJsonBody(exporter: OTLPTraceExporter): void {
  const delegate = (exporter as unknown as { _delegate?: { _serializer?: { serializeRequest?: unknown; deserializeResponse?: unknown } } })._delegate;
  const serializer = delegate?._serializer;
  if (typeof serializer?.serializeRequest !== 'function' || typeof serializer.deserializeResponse !== 'function') return;
  delegate!._serializer = {
    serializeRequest: (spans: ReadableSpan[]) => otlpJsonSerializer.serializeRequest(spans),
    deserializeResponse: serializer.deserializeResponse,
  };
}

/**
 * Resource attributes otel-cf-workers sets that say nothing true: `cloud.region` is `earth` for every
 * worker (a Workers invocation runs in the Cloudflare data center nearest its caller, which the
 * resource, built once per isolate, cannot know; deployed, a request's span says it: attribute-hygiene.ts).
 */
const UNTRUE_RESOURCE_ATTRIBUTES = ['cloud.region'];

/**
 * What leaves the worker for each span: a plain copy of what the serializer reads, with clean
 * attributes (attribute-hygiene.ts: no empty values, secrets redacted), its resource without the
 * untrue attributes and with the extra ones, and our scope name; the span itself is untouched.
 */
export class ExportView {
  private readonly extraResource?: Resource;
  /**
   * The serializer groups spans by resource object identity: merging per span would give every
   * span its own resourceSpans entry (and repeat the resource block), so merge once per resource.
   */
  private readonly merged = new WeakMap<Resource, Resource>();

  constructor(extraResource?: Record<string, string>) {
    this.extraResource = extraResource ? resourceFromAttributes(extraResource) : undefined;
  }

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
      attributes: cleanAttributes(span.attributes),
      events: span.events.map((e) => (e.attributes ? { ...e, attributes: cleanAttributes(e.attributes) } : e)),
      links: span.links.map((l) => (l.attributes ? { ...l, attributes: cleanAttributes(l.attributes) } : l)),
      status: span.status.message ? { ...span.status, message: redactString(span.status.message) } : span.status,
      resource: this.withExtraResource(span.resource),
      instrumentationScope: span.instrumentationScope,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
    };
  }

  private withExtraResource(resource: Resource): Resource {
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
}
