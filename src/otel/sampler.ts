import { trace, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';

/**
 * Head sampling: the parent's decision when there is one (so an unsampled request stays
 * unsampled in every worker), else `ratio` of new traces (OTEL_TRACES_SAMPLER_ARG).
 * Why the wrapper: otel-cf-workers takes a span's tracestate only from the sampling result, and
 * the SDK samplers leave that empty, so the parent's tracestate would be dropped at each hop.
 */
export class ParentRatioSampler implements Sampler {
  private readonly delegate: Sampler;

  constructor(ratio: number) {
    this.delegate = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const result = this.delegate.shouldSample(context, traceId, name, kind, attributes, links);
    if (result.traceState) return result;
    // Runs for every span: copy the result only when there is a parent tracestate to carry.
    const traceState = trace.getSpanContext(context)?.traceState;
    return traceState ? { ...result, traceState } : result;
  }

  toString(): string {
    return `ParentRatioSampler{${this.delegate.toString()}}`;
  }
}
