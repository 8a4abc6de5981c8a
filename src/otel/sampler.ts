import { trace, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';

export interface ParentRatioSamplerOptions {
  /**
   * Asked when a span starts a trace (no valid parent): true samples that trace whatever the ratio
   * (e.g. a run a person starts). Runs for every new trace: keep it synchronous and cheap.
   */
  alwaysSampleRoot?: () => boolean;
}

/** A new trace: sampled when `always()` says so, else by the ratio. */
class AlwaysOrRatioSampler implements Sampler {
  private readonly ratio: Sampler;

  constructor(
    ratio: number,
    private readonly always: () => boolean,
  ) {
    this.ratio = new TraceIdRatioBasedSampler(ratio);
  }

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (this.always()) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    return this.ratio.shouldSample(context, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `AlwaysOr{${this.ratio.toString()}}`;
  }
}

/**
 * Head sampling: the parent's decision when there is one (so an unsampled request stays
 * unsampled in every worker), else `ratio` of new traces (OTEL_TRACES_SAMPLER_ARG), except the new
 * traces `alwaysSampleRoot` names, which are always sampled.
 * Why the wrapper: otel-cf-workers takes a span's tracestate only from the sampling result, and
 * the SDK samplers leave that empty, so the parent's tracestate would be dropped at each hop.
 */
export class ParentRatioSampler implements Sampler {
  private readonly delegate: Sampler;

  constructor(ratio: number, { alwaysSampleRoot }: ParentRatioSamplerOptions = {}) {
    const root = alwaysSampleRoot ? new AlwaysOrRatioSampler(ratio, alwaysSampleRoot) : new TraceIdRatioBasedSampler(ratio);
    this.delegate = new ParentBasedSampler({ root });
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
