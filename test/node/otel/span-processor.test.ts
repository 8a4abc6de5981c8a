import { ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OtlpJsonBody } from '../../../src/otel/otlp-json';
import { InvocationSpanProcessor, type BodyExporter } from '../../../src/otel/span-processor';

/** An exporter that keeps each export's span names, in order. */
function recordingExporter(): SpanExporter & { exports: string[][] } {
  const exports: string[][] = [];
  return {
    exports,
    export: (spans: ReadableSpan[], done: (result: { code: number }) => void) => {
      exports.push(spans.map((s) => s.name));
      done({ code: 0 });
    },
    shutdown: async () => {},
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('InvocationSpanProcessor past its buffer (10,000 spans an invocation)', () => {
  it('exports the sampled spans early instead of dropping them, so a cron tick of 10,000 ZIPs keeps its cron span', async () => {
    const exporter = recordingExporter();
    const processor = new InvocationSpanProcessor([exporter]);
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('test');
    const cron = tracer.startSpan('cron */15 * * * *');
    const parent = trace.setSpan(ROOT_CONTEXT, cron);
    // About two spans per ZIP, as the cron's fan-out makes (scheduled run + create).
    for (let i = 0; i < 20_001; i++) tracer.startSpan(`span ${i}`, {}, parent).end();
    cron.end();
    await processor.forceFlush();
    const exported = exporter.exports.flat();
    expect(exported).toHaveLength(20_002);
    expect(exported).toContain('cron */15 * * * *');
    expect(exporter.exports.length).toBeGreaterThan(1);
    expect(Math.max(...exporter.exports.map((e) => e.length))).toBeLessThanOrEqual(10_000);
  });

  it('says once when it had to drop spans it could not decide on (unsampled work, still open, in which nothing had failed)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const exporter = recordingExporter();
    const processor = new InvocationSpanProcessor([exporter]);
    const tracer = recordingTracer(processor);
    const root = tracer.startSpan('unsampled work', {}, unsampledParent('0af7651916cd43dd8448eb211c80319c'));
    const parent = trace.setSpan(ROOT_CONTEXT, root);
    for (let i = 0; i < 10_005; i++) tracer.startSpan(`unsampled ${i}`, {}, parent).end();
    root.end();
    await processor.forceFlush();
    expect(exporter.exports.flat()).toHaveLength(0);
    expect(warn).toHaveBeenCalledTimes(1);
    // Past the 10,000 held: the last five children and the root, which ended last.
    expect(String(warn.mock.calls[0][0])).toMatch(/dropped 6 spans/);
  });

  it('exports a sampled span although unsampled work fills the buffer', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const exporter = recordingExporter();
    const processor = new InvocationSpanProcessor([exporter]);
    const tracer = new BasicTracerProvider({
      spanProcessors: [processor],
      sampler: { shouldSample: (ctx) => ({ decision: trace.getSpanContext(ctx) ? 1 : 2 }), toString: () => 'sampled roots' },
    }).getTracer('test');
    const work = tracer.startSpan('unsampled work', {}, unsampledParent('7af7651916cd43dd8448eb211c80319c'));
    const inWork = trace.setSpan(ROOT_CONTEXT, work);
    for (let i = 0; i < 10_000; i++) tracer.startSpan(`unsampled ${i}`, {}, inWork).end();
    tracer.startSpan('sampled').end();
    work.end();
    await processor.forceFlush();
    expect(exporter.exports).toEqual([['sampled']]);
  });

  it('holds no healthy work that has ended: 10,001 of them leave room for a failure after them', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const exporter = recordingExporter();
    const processor = new InvocationSpanProcessor([exporter]);
    const tracer = recordingTracer(processor);
    const parent = unsampledParent('0af7651916cd43dd8448eb211c80319c');
    for (let i = 0; i < 10_001; i++) tracer.startSpan(`healthy ${i}`, {}, parent).end();
    const work = tracer.startSpan('failing work', {}, parent);
    tracer.startSpan('step', {}, trace.setSpan(ROOT_CONTEXT, work)).end();
    work.setStatus({ code: SpanStatusCode.ERROR });
    work.end();
    await processor.forceFlush();
    expect(exporter.exports).toEqual([['step', 'failing work']]);
    expect(warn).not.toHaveBeenCalled();
  });
});

/** A tracer whose spans are all recorded and none sampled, unless their parent is. */
function recordingTracer(processor: InvocationSpanProcessor) {
  return new BasicTracerProvider({
    spanProcessors: [processor],
    sampler: { shouldSample: () => ({ decision: 1 }), toString: () => 'record' },
  }).getTracer('test');
}

/** A remote parent whose trace is not sampled, as a message's carrier brings it. */
function unsampledParent(traceId: string, spanId = 'b7ad6b7169203331') {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.NONE, isRemote: true });
}

describe('InvocationSpanProcessor, the error rule', () => {
  it('exports a failed unsampled trace marked kept_for_error, without writing into the ended spans', async () => {
    const exported: ReadableSpan[] = [];
    const exporter: SpanExporter = {
      export: (spans, done) => {
        exported.push(...spans);
        done({ code: 0 });
      },
      shutdown: async () => {},
    };
    const processor = new InvocationSpanProcessor([exporter]);
    const tracer = new BasicTracerProvider({
      spanProcessors: [processor],
      sampler: { shouldSample: () => ({ decision: 1 }), toString: () => 'record' },
    }).getTracer('test');
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: '1af7651916cd43dd8448eb211c80319c', spanId: 'c7ad6b7169203331', traceFlags: TraceFlags.NONE });
    const span = tracer.startSpan('failing step', { attributes: { step: 'x' } }, parent);
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    span.end();
    await processor.forceFlush();
    expect(exported.map((s) => [s.name, s.attributes])).toEqual([['failing step', { step: 'x', 'workers_otel.sampling.kept_for_error': true }]]);
    expect((span as unknown as ReadableSpan).attributes).toEqual({ step: 'x' });
  });

  it('exports a failed piece of work whole, its spans that ended before the failure too, and not the healthy work of the same trace', async () => {
    const exporter = recordingExporter();
    const processor = new InvocationSpanProcessor([exporter]);
    const tracer = recordingTracer(processor);
    // Two messages of one run (one trace) in a batch: each `process` span is a piece of work.
    const run = unsampledParent('4af7651916cd43dd8448eb211c80319c');
    const healthy = tracer.startSpan('process healthy', {}, run);
    const failing = tracer.startSpan('process failing', {}, run);
    tracer.startSpan('send', {}, trace.setSpan(ROOT_CONTEXT, failing)).end();
    tracer.startSpan('render', {}, trace.setSpan(ROOT_CONTEXT, healthy)).end();
    healthy.end();
    const failed = tracer.startSpan('put', {}, trace.setSpan(ROOT_CONTEXT, failing));
    failed.setStatus({ code: SpanStatusCode.ERROR });
    failed.end();
    failing.end();
    await processor.forceFlush();
    expect(exporter.exports).toEqual([['send', 'put', 'process failing']]);
  });

  it("keeps another invocation's open work across this one's export, and exports it whole when it fails", async () => {
    const exporter = recordingExporter();
    const processor = new InvocationSpanProcessor([exporter]);
    const tracer = recordingTracer(processor);
    const work = tracer.startSpan('process slow', {}, unsampledParent('5af7651916cd43dd8448eb211c80319c'));
    tracer.startSpan('fetch', {}, trace.setSpan(ROOT_CONTEXT, work)).end();
    // An invocation running beside it in the isolate ends and exports.
    await processor.forceFlush();
    work.setStatus({ code: SpanStatusCode.ERROR });
    work.end();
    await processor.forceFlush();
    expect(exporter.exports).toEqual([['fetch', 'process slow']]);
  });

  it("decides work whose root is suppressed (otel-cf-workers' batch span) when it ends, the root never exported", async () => {
    const exporter = recordingExporter();
    const processor = new InvocationSpanProcessor([exporter]);
    const tracer = recordingTracer(processor);
    const batch = tracer.startSpan('queue batch', {}, unsampledParent('6af7651916cd43dd8448eb211c80319c'));
    processor.suppress(batch);
    const read = tracer.startSpan('get config', {}, trace.setSpan(ROOT_CONTEXT, batch));
    read.setStatus({ code: SpanStatusCode.ERROR });
    read.end();
    batch.end();
    await processor.forceFlush();
    expect(exporter.exports).toEqual([['get config']]);
  });
});

/** An exporter that takes bodies (as the OTLP exporter does): each export's body, parsed. */
function bodyExporter(): BodyExporter & {
  bodies: Array<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; attributes: unknown[] }> }> }> }>;
} {
  const bodies: ReturnType<typeof bodyExporter>['bodies'] = [];
  return {
    bodies,
    newBody: () => new OtlpJsonBody(),
    exportBody: (body, done) => {
      bodies.push(JSON.parse(new TextDecoder().decode((body as OtlpJsonBody).bytes())) as (typeof bodies)[number]);
      done({ code: 0 });
    },
    export: () => {
      throw new Error('a body exporter is given bodies, not span objects');
    },
    shutdown: async () => {},
  };
}

describe('InvocationSpanProcessor with an exporter that takes bodies', () => {
  it('writes each span that goes into the body as it is decided, in one export; object exporters get the same spans', async () => {
    const bodies = bodyExporter();
    const objects = recordingExporter();
    const processor = new InvocationSpanProcessor([bodies, objects]);
    const tracer = new BasicTracerProvider({
      spanProcessors: [processor],
      sampler: { shouldSample: (ctx) => ({ decision: trace.getSpanContext(ctx) ? 1 : 2 }), toString: () => 'sampled roots' },
    }).getTracer('test');
    tracer.startSpan('sampled').end();
    tracer.startSpan('healthy unsampled', {}, unsampledParent('2af7651916cd43dd8448eb211c80319c')).end();
    const work = tracer.startSpan('failing work', {}, unsampledParent('3af7651916cd43dd8448eb211c80319c'));
    const inWork = trace.setSpan(ROOT_CONTEXT, work);
    tracer.startSpan('before the failure', {}, inWork).end();
    const failed = tracer.startSpan('failed', {}, inWork);
    failed.setStatus({ code: SpanStatusCode.ERROR });
    failed.end();
    work.end();
    await processor.forceFlush();
    expect(bodies.bodies).toHaveLength(1);
    const spans = bodies.bodies[0].resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans.map((s) => s.name)).toEqual(['sampled', 'before the failure', 'failed', 'failing work']);
    for (const span of spans.slice(1)) expect(span.attributes).toContainEqual({ key: 'workers_otel.sampling.kept_for_error', value: { boolValue: true } });
    expect(objects.exports).toEqual([['sampled', 'before the failure', 'failed', 'failing work']]);
    // The next invocation starts a new body.
    await processor.forceFlush();
    expect(bodies.bodies).toHaveLength(1);
  });

  it('puts every span of an invocation into its own export, however many there are, none left out or carried into the next', async () => {
    const bodies = bodyExporter();
    const processor = new InvocationSpanProcessor([bodies]);
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('test');
    const namesIn = (body: (typeof bodies.bodies)[number]) => body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.name)));
    for (let i = 0; i < 5; i++) tracer.startSpan(`first ${i}`).end();
    await processor.forceFlush();
    for (let i = 0; i < 2; i++) tracer.startSpan(`second ${i}`).end();
    await processor.forceFlush();
    // Past the buffer: an early export, then the rest at the end.
    for (let i = 0; i < 10_003; i++) tracer.startSpan(`third ${i}`).end();
    await processor.forceFlush();
    expect(bodies.bodies.slice(0, 2).map(namesIn)).toEqual([
      ['first 0', 'first 1', 'first 2', 'first 3', 'first 4'],
      ['second 0', 'second 1'],
    ]);
    const third = bodies.bodies.slice(2).map(namesIn);
    expect(third.map((names) => names.length)).toEqual([10_000, 3]);
    expect(third.flat()).toEqual(Array.from({ length: 10_003 }, (_, i) => `third ${i}`));
  });
});
