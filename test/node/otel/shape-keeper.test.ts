import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ShapeKeeper } from '../../../src/otel/shape-keeper';
import { InvocationSpanProcessor } from '../../../src/otel/span-processor';

// V8's gc(), which a context made after this flag gets.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A full collection once the current job is over (a WeakRef's target is kept until then). */
async function collected(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

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
    await collected();
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
    await collected();
    expect(first.deref()?.name).toBe('first');
    for (let i = 0; i < 128; i++) tracer.startSpan(`later ${i}`).end();
    await processor.forceFlush();
    await collected();
    expect(first.deref()).toBeUndefined();
  });
});
