import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SamplingDecision, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonTraceSerializer } from '../../../node_modules/@opentelemetry/exporter-trace-otlp-http/node_modules/@opentelemetry/otlp-transformer/build/esm/index.js';
import { setContextAttributes } from '../../../src/otel/context-attributes';
import { ExportView } from '../../../src/otel/exporter';
import { otlpJson } from '../../../src/otel/otlp-json';
import { ParentRatioSampler } from '../../../src/otel/sampler';
import { InvocationSpanProcessor } from '../../../src/otel/span-processor';
import { RecordingSpan, RecordingTracer, setSpanPipeline, SpanPipeline } from '../../../src/otel/tracer';
import { StorageContextManager } from '../../support/context-manager';

const SAMPLED_PARENT = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: new TraceState('vendor=a'),
};

let started: ReadableSpan[];
let ended: ReadableSpan[];

/** Our tracer recording into a pipeline with `ratio` head sampling, as inside an instrumented invocation. */
function inInvocation(ratio = 1, options: { recordUnsampled?: boolean } = {}): RecordingTracer {
  const pipeline = collectingPipeline(ratio, options);
  setSpanPipeline(pipeline, () => true);
  return new RecordingTracer({ name: 'test-scope' });
}

/** A pipeline whose one processor collects what starts and ends into `started` and `ended`. */
function collectingPipeline(ratio: number, options: { recordUnsampled?: boolean }): SpanPipeline {
  started = [];
  ended = [];
  const collect: SpanProcessor = {
    onStart: (span) => void started.push(span),
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  return new SpanPipeline(new ParentRatioSampler(ratio), [collect], options);
}

afterEach(() => {
  setSpanPipeline(new SpanPipeline(new ParentRatioSampler(1), []), () => false);
  trace.disable();
});

describe('RecordingTracer inside an instrumented invocation', () => {
  it("continues its parent's trace: trace id, sampled flag and tracestate; a new span id; its own scope", () => {
    const span = inInvocation(0).startSpan('child', { kind: SpanKind.CLIENT }, trace.setSpanContext(ROOT_CONTEXT, SAMPLED_PARENT)) as RecordingSpan;
    expect(span).toBeInstanceOf(RecordingSpan);
    const ctx = span.spanContext();
    expect(ctx.traceId).toBe(SAMPLED_PARENT.traceId);
    expect(ctx.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(ctx.spanId).not.toBe(SAMPLED_PARENT.spanId);
    // Sampled although the ratio is 0: the parent decided.
    expect(ctx.traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
    expect(ctx.traceState?.serialize()).toBe('vendor=a');
    expect(span.parentSpanContext?.spanId).toBe(SAMPLED_PARENT.spanId);
    expect(span.instrumentationScope.name).toBe('test-scope');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(started).toEqual([span]);
  });

  it('asks the sampler for a new trace, and `root: true` starts one whatever the active span', () => {
    const unsampled = inInvocation(0).startSpan('root', { root: true }, trace.setSpanContext(ROOT_CONTEXT, SAMPLED_PARENT));
    expect(unsampled.spanContext().traceId).not.toBe(SAMPLED_PARENT.traceId);
    expect(unsampled.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect((unsampled as RecordingSpan).parentSpanContext).toBeUndefined();
    expect(unsampled.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(0);
    // Recorded all the same: the error rule may still export it.
    expect(unsampled.isRecording()).toBe(true);
    const sampled = inInvocation(1).startSpan('root', {}, ROOT_CONTEXT);
    // W3C level 2's random flag, as otel-cf-workers sets it on the traces it starts.
    expect(sampled.spanContext().traceFlags).toBe(TraceFlags.SAMPLED | 2);
  });

  it('copies the given attributes first, then the context attributes they leave unset, and drops values no attribute can hold', () => {
    const tags = ['a', 'b'];
    const parent = setContextAttributes(ROOT_CONTEXT, { 'job.id': 'from-context', 'job.zip': '73301' });
    const given = { 'job.id': 'given', list: tags, bad: { nested: true } as unknown as string, '': 'no key' };
    const span = inInvocation().startSpan('s', { attributes: given }, parent) as RecordingSpan;
    tags.push('c');
    expect(span.attributes).toEqual({ 'job.id': 'given', list: ['a', 'b'], 'job.zip': '73301' });
    expect(Object.keys(span.attributes)).toEqual(['job.id', 'list', 'job.zip']);
    span.setAttribute('later', 1).setAttributes({ more: true, worse: Symbol('x') as unknown as string });
    expect(span.attributes).toMatchObject({ later: 1, more: true });
    expect(span.attributes).not.toHaveProperty('worse');
  });

  it('ends once, and an ended span no longer changes', () => {
    const span = inInvocation().startSpan('s', { startTime: 1_700_000_000_123 }) as RecordingSpan;
    span.end(1_700_000_000_456);
    span.end();
    span.setAttribute('late', 1).setStatus({ code: SpanStatusCode.ERROR }).updateName('renamed').addEvent('late').addLink({ context: SAMPLED_PARENT });
    expect(ended).toEqual([span]);
    expect(span.isRecording()).toBe(false);
    expect(span).toMatchObject({ name: 's', attributes: {}, events: [], links: [], status: { code: SpanStatusCode.UNSET } });
    expect(span.startTime).toEqual([1_700_000_000, 123_000_000]);
    expect(span.endTime).toEqual([1_700_000_000, 456_000_000]);
    expect(span.duration).toEqual([0, 333_000_000]);
  });

  it("records an exception as the conventions' event, with otel-cf-workers' choice of type", () => {
    const span = inInvocation().startSpan('s');
    const error = Object.assign(new TypeError('bad input'), { code: 'E_BAD' });
    span.recordException(error);
    span.recordException('just text');
    expect((span as RecordingSpan).events.map((e) => [e.name, e.attributes])).toEqual([
      ['exception', { 'exception.type': 'E_BAD', 'exception.message': 'bad input', 'exception.stacktrace': error.stack }],
      ['exception', { 'exception.message': 'just text' }],
    ]);
  });

  it('works as the active span: startActiveSpan runs the function with the span in the context', () => {
    context.setGlobalContextManager(new StorageContextManager());
    const tracer = inInvocation();
    const seen = tracer.startActiveSpan('outer', (outer: Span) => {
      const inner = tracer.startSpan('inner') as RecordingSpan;
      outer.end();
      return { active: trace.getActiveSpan(), inner };
    });
    expect(seen.active).toBe(ended[0]);
    expect(seen.inner.parentSpanContext?.spanId).toBe(ended[0].spanContext().spanId);
    expect(context.active()).toBe(ROOT_CONTEXT);
    context.disable();
  });

  it("is exported byte for byte as the exporter package's own serializer writes it", () => {
    const tracer = inInvocation();
    const pipeline = new SpanPipeline(new ParentRatioSampler(1), [
      { onStart: () => {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} },
    ]);
    // The resource comes from the first span otel-cf-workers starts; a stand-in here.
    const resource = resourceFromAttributes({ 'service.name': 'svc', 'cloud.region': 'earth' });
    pipeline.onStart({ resource } as unknown as Parameters<SpanPipeline['onStart']>[0], ROOT_CONTEXT);
    setSpanPipeline(pipeline, () => true);
    // Times that change from span to span and back (the body keeps the last one it wrote).
    const t0 = Date.UTC(2026, 11, 6, 12);
    const parent = tracer.startSpan('process q', {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'cloudflare_queues', n: 3, empty: '' },
      startTime: t0,
    });
    const child = tracer.startSpan(
      'put run:{id}',
      { kind: SpanKind.CLIENT, attributes: { 'url.full': 'https://h/x?token=secret' }, startTime: t0 + 5 },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    tracer.startSpan('same start', { startTime: t0 + 5 }, trace.setSpan(ROOT_CONTEXT, parent)).end(t0);
    child.addEvent('retry', { attempt: 2 });
    child.addLink({ context: SAMPLED_PARENT, attributes: { why: 'replay' } });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'failed calling https://h/x?token=secret' });
    child.end(t0 + 7);
    parent.end(t0 + 7);
    const view = new ExportView({ 'deployment.environment.name': 'test' });
    const body = otlpJson(ended, view);
    expect(body).toBe(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(ended.map((s) => view.of(s)))));
    expect(body).not.toContain('secret');
    expect(body).toContain('"service.name"');
  });
});

describe('standard head sampling: SpanPipeline without recordUnsampled (TRACE_KEEP_UNSAMPLED_FAILURES=false)', () => {
  const UNSAMPLED_PARENT = { ...SAMPLED_PARENT, traceFlags: TraceFlags.NONE };

  it('gives unsampled work a span that only carries its context on, and records sampled work as before', () => {
    const tracer = inInvocation(1, { recordUnsampled: false });
    const unsampled = tracer.startSpan('child', { attributes: { step: 'x' } }, trace.setSpanContext(ROOT_CONTEXT, UNSAMPLED_PARENT));
    expect(unsampled.isRecording()).toBe(false);
    expect(unsampled).not.toBeInstanceOf(RecordingSpan);
    expect(unsampled.spanContext().traceId).toBe(SAMPLED_PARENT.traceId);
    expect(unsampled.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(unsampled.spanContext().spanId).not.toBe(SAMPLED_PARENT.spanId);
    expect(unsampled.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(0);
    unsampled.end();
    const root = inInvocation(0, { recordUnsampled: false }).startSpan('root', {}, ROOT_CONTEXT);
    expect(root.isRecording()).toBe(false);
    expect(started).toEqual([]);
    const sampled = tracer.startSpan('child', {}, trace.setSpanContext(ROOT_CONTEXT, SAMPLED_PARENT));
    expect(sampled).toBeInstanceOf(RecordingSpan);
    sampled.end();
    expect(started).toEqual([sampled]);
    expect(ended).toEqual([sampled]);
  });

  it("passes none of otel-cf-workers' own unsampled spans to its processors", () => {
    const pipeline = collectingPipeline(1, { recordUnsampled: false });
    // otel-cf-workers' tracer records every span, sampled as its parent was, and hands it to the pipeline as its span processor.
    const theirs = new BasicTracerProvider({
      spanProcessors: [pipeline],
      sampler: {
        shouldSample: (parent) =>
          ((trace.getSpanContext(parent)?.traceFlags ?? 0) & TraceFlags.SAMPLED) !== 0
            ? { decision: SamplingDecision.RECORD_AND_SAMPLED }
            : { decision: SamplingDecision.RECORD },
        toString: () => 'record, sampled as the parent',
      },
    }).getTracer('otel-cf-workers');
    theirs.startSpan('queue batch', {}, trace.setSpanContext(ROOT_CONTEXT, UNSAMPLED_PARENT)).end();
    expect(started).toEqual([]);
    expect(ended).toEqual([]);
    const sampled = theirs.startSpan('fetch', {}, trace.setSpanContext(ROOT_CONTEXT, SAMPLED_PARENT));
    sampled.end();
    expect(started.map((s) => s.name)).toEqual(['fetch']);
    expect(ended.map((s) => s.name)).toEqual(['fetch']);
  });

  it('so a failure in unsampled work is exported only while unsampled work is recorded (the default)', async () => {
    const exportedWith = async (recordUnsampled: boolean): Promise<string[]> => {
      const names: string[] = [];
      const processor = new InvocationSpanProcessor([
        {
          export: (spans, done) => {
            names.push(...spans.map((s) => s.name));
            done({ code: 0 });
          },
          shutdown: async () => {},
        },
      ]);
      setSpanPipeline(new SpanPipeline(new ParentRatioSampler(1), [processor], { recordUnsampled }), () => true);
      const failing = new RecordingTracer({ name: 'test-scope' }).startSpan('failing step', {}, trace.setSpanContext(ROOT_CONTEXT, UNSAMPLED_PARENT));
      failing.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      failing.end();
      await processor.forceFlush();
      return names;
    };
    expect(await exportedWith(true)).toEqual(['failing step']);
    expect(await exportedWith(false)).toEqual([]);
  });
});

describe('RecordingTracer outside an instrumented invocation', () => {
  beforeEach(() => {
    setSpanPipeline(new SpanPipeline(new ParentRatioSampler(1), []), () => false);
  });

  it("is the global provider's tracer of the same scope name (an SDK provider in Node, a test)", () => {
    const seen: ReadableSpan[] = [];
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({
        spanProcessors: [{ onStart: () => {}, onEnd: (s) => void seen.push(s), forceFlush: async () => {}, shutdown: async () => {} }],
      }),
    );
    const span = new RecordingTracer({ name: 'test-scope' }).startSpan('elsewhere');
    span.end();
    expect(span).not.toBeInstanceOf(RecordingSpan);
    expect(seen.map((s) => [s.name, s.instrumentationScope.name])).toEqual([['elsewhere', 'test-scope']]);
  });
});
