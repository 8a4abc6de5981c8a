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

  it('says once when it had to drop spans it could not decide on (unsampled traces that never failed)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const exporter = recordingExporter();
    const processor = new InvocationSpanProcessor([exporter]);
    const unsampled = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE };
    const tracer = new BasicTracerProvider({
      spanProcessors: [processor],
      sampler: { shouldSample: () => ({ decision: 1 }), toString: () => 'record' },
    }).getTracer('test');
    const parent = trace.setSpanContext(ROOT_CONTEXT, unsampled);
    for (let i = 0; i < 10_005; i++) tracer.startSpan(`unsampled ${i}`, {}, parent).end();
    await processor.forceFlush();
    expect(exporter.exports.flat()).toHaveLength(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/dropped 5 spans/);
  });
});

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
  it('writes each sampled span into the body as it ends, the kept-for-error ones at the end, in one export; object exporters get the same spans', async () => {
    const bodies = bodyExporter();
    const objects = recordingExporter();
    const processor = new InvocationSpanProcessor([bodies, objects]);
    const tracer = new BasicTracerProvider({
      spanProcessors: [processor],
      sampler: { shouldSample: (ctx) => ({ decision: trace.getSpanContext(ctx) ? 1 : 2 }), toString: () => 'sampled roots' },
    }).getTracer('test');
    tracer.startSpan('sampled').end();
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '2af7651916cd43dd8448eb211c80319c',
      spanId: 'd7ad6b7169203331',
      traceFlags: TraceFlags.NONE,
    });
    tracer.startSpan('healthy unsampled', {}, unsampled).end();
    const failing = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '3af7651916cd43dd8448eb211c80319c',
      spanId: 'e7ad6b7169203331',
      traceFlags: TraceFlags.NONE,
    });
    tracer.startSpan('before the failure', {}, failing).end();
    const failed = tracer.startSpan('failed', {}, failing);
    failed.setStatus({ code: SpanStatusCode.ERROR });
    failed.end();
    await processor.forceFlush();
    expect(bodies.bodies).toHaveLength(1);
    const spans = bodies.bodies[0].resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans.map((s) => s.name)).toEqual(['sampled', 'before the failure', 'failed']);
    expect(spans[2].attributes).toContainEqual({ key: 'workers_otel.sampling.kept_for_error', value: { boolValue: true } });
    expect(objects.exports).toEqual([['sampled', 'before the failure', 'failed']]);
    // The next invocation starts a new body.
    await processor.forceFlush();
    expect(bodies.bodies).toHaveLength(1);
  });
});
