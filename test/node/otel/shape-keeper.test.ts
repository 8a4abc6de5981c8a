import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../src/otel/otlp-json';
import { ShapeKeeper } from '../../../src/otel/shape-keeper';
import { InvocationSpanProcessor } from '../../../src/otel/span-processor';
import { fullCollection, optimized } from '../../support/v8-natives';

/** A new object known only through the returned WeakRef (made here, so no caller's local holds it). */
function weakly<T extends object>(make: () => T, use: (value: T) => void): WeakRef<T> {
  const value = make();
  use(value);
  return new WeakRef(value);
}

describe('ShapeKeeper (src/otel/shape-keeper.ts)', () => {
  it('keeps the last objects it was given alive, as many as its size, and lets older ones go', async () => {
    const keeper = new ShapeKeeper<object>(3);
    const refs = Array.from({ length: 5 }, (_, i) =>
      weakly(
        () => ({ i }),
        (o) => keeper.keep(o),
      ),
    );
    await fullCollection();
    expect(refs.map((ref) => ref.deref() !== undefined)).toEqual([false, false, true, true, true]);
  });
});

describe('InvocationSpanProcessor keeps span shapes alive between invocations', () => {
  const exporter: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };

  it('keeps the last 128 spans that ended reachable after their export, and lets an older one go', async () => {
    const processor = new InvocationSpanProcessor([exporter]);
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('test');
    const first = weakly(
      () => tracer.startSpan('first') as unknown as ReadableSpan,
      (span) => (span as unknown as { end(): void }).end(),
    );
    await processor.forceFlush();
    await fullCollection();
    expect(first.deref()?.name).toBe('first');
    for (let i = 0; i < 128; i++) tracer.startSpan(`later ${i}`).end();
    await processor.forceFlush();
    await fullCollection();
    expect(first.deref()).toBeUndefined();
  });
});

describe("the OTLP writer's shape outlives each export (src/otel/otlp-json.ts, ByteWriter.kept)", () => {
  it("keeps str's optimized code through a full collection that finds no export's writer alive", async () => {
    const str = (ByteWriter.prototype as unknown as { str: unknown }).str;
    const isOptimized = optimized(str, () => new ByteWriter().str('render rgb_light'));
    expect(isOptimized()).toBe(true);
    await fullCollection();
    expect(isOptimized()).toBe(true);
  });
});
