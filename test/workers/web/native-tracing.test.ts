import { SELF } from 'cloudflare:test';
import { tracing } from 'cloudflare:workers';
import { SpanKind } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryExporter } from '../memory-spans';
import { exportedSpans, invoke, nativeAttributes, nativeSpanWith } from '../native-tail';
import { useNativeTracing } from '../../../src/otel';
import { bearer, send } from './web-client';

const HEX32 = /^(?!0{32})[0-9a-f]{32}$/;
const HEX16 = /^(?!0{16})[0-9a-f]{16}$/;
const isRoot = (s: { parentSpanContext?: unknown; kind: SpanKind }) => !s.parentSpanContext;

describe("Cloudflare's native trace and ours lead to each other", () => {
  beforeEach(() => memoryExporter.reset());

  it('a request: our root span carries the native ids and the ray id; the native span carries our trace id and the ZIP', async () => {
    const response = await SELF.fetch('http://localhost/78729/bw.bmp', { headers: { 'cf-ray': '8f1e2d3c4b5a6978-DFW' } });
    await response.arrayBuffer();
    const [root] = await exportedSpans((s) => isRoot(s) && s.kind === SpanKind.SERVER);
    expect(root.attributes['cloudflare.trace_id']).toMatch(HEX32);
    expect(root.attributes['cloudflare.span_id']).toMatch(HEX16);
    expect(root.attributes['faas.invocation_id']).toBe('8f1e2d3c4b5a6978-DFW');
    const native = await nativeSpanWith(root.spanContext().traceId);
    expect(native).toEqual({
      traceId: root.attributes['cloudflare.trace_id'],
      spanId: root.attributes['cloudflare.span_id'],
      attributes: { 'weather_landscape.trace_id': root.spanContext().traceId, 'weather_landscape.zip': '78729' },
    });
  });

  it('the cron handler: the native span lists the cron trace and each scheduled run trace, with the run words', async () => {
    await send('/admin/activate?zip=78729', { method: 'POST', headers: bearer() });
    memoryExporter.reset();
    await invoke.scheduled({ cron: '*/15 * * * *', scheduledTime: new Date() });
    const [cron, run] = await Promise.all([
      exportedSpans((s) => s.name === 'cron */15 * * * *').then(([s]) => s),
      exportedSpans((s) => s.name === 'scheduled run' && s.attributes['weather_landscape.zip'] === '78729').then(([s]) => s),
    ]);
    for (const span of [cron, run]) {
      expect(span.attributes['cloudflare.trace_id']).toMatch(HEX32);
      expect(span.attributes['cloudflare.span_id']).toMatch(HEX16);
    }
    expect(run.attributes['cloudflare.span_id']).toBe(cron.attributes['cloudflare.span_id']);
    const native = await nativeSpanWith(run.spanContext().traceId);
    expect(native.spanId).toBe(cron.attributes['cloudflare.span_id']);
    expect(native.attributes['weather_landscape.trace_id']).toBe(`${cron.spanContext().traceId},${run.spanContext().traceId}`);
    expect(native.attributes).toMatchObject({ 'weather_landscape.zip': '78729', 'weather_landscape.run.trigger': 'cron' });
  });

  it('only spans that enter a trace get the native ids, not their children', async () => {
    await SELF.fetch('http://localhost/78729/bw.bmp').then((r) => r.arrayBuffer());
    const spans = await exportedSpans((s) => s.kind === SpanKind.SERVER);
    const traceId = spans[0].spanContext().traceId;
    const children = memoryExporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId && !isRoot(s));
    expect(children.length).toBeGreaterThan(0);
    for (const child of children) expect(child.attributes).not.toHaveProperty('cloudflare.trace_id');
  });

  describe('on a runtime without `tracing`', () => {
    afterEach(() => useNativeTracing(tracing));

    it('nothing changes and nothing is logged', async () => {
      useNativeTracing(undefined);
      const log = (['debug', 'log', 'info', 'warn', 'error'] as const).map((method) => vi.spyOn(console, method));
      await SELF.fetch('http://localhost/78729/bw.bmp').then((r) => r.arrayBuffer());
      const [root] = await exportedSpans((s) => isRoot(s) && s.kind === SpanKind.SERVER);
      expect(Object.keys(root.attributes).filter((k) => k.startsWith('cloudflare.'))).toEqual([]);
      for (const spy of log) expect(spy.mock.calls).toEqual([]);
      const traceId = root.spanContext().traceId;
      expect((await nativeAttributes()).filter((n) => JSON.stringify(n).includes(traceId))).toEqual([]);
    });
  });
});
