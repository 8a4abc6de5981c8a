import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import { env } from 'cloudflare:test';
import { exportedSpans, nativeSpanWith } from '../native-tail';

const HEX32 = /^(?!0{32})[0-9a-f]{32}$/;
const HEX16 = /^(?!0{16})[0-9a-f]{16}$/;

function body(zip: string, traceId: string, spanId: string) {
  return {
    schema_version: 1,
    zip_code: zip,
    lat: 30.45,
    lon: -97.79,
    fetched_at: '2026-06-21T12:00:00.000Z',
    _otel: { traceparent: `00-${traceId}-${spanId}-01` },
  };
}

const hex = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((seed * 7 + i * 13 + 1) % 16).toString(16)).join('');

const DELIVERY = { timeout: 3_000, interval: 50 }; // twice within the test's 5 s

/** Sends `bodies` in one sendBatch to the dispatcher's real queue (vitest.config.ts): the runtime delivers them as one batch to one queue invocation. */
async function deliver(bodies: unknown[]) {
  await env.TEST_WEATHER_READY.sendBatch(bodies.map((body) => ({ body })));
  return exportedSpans((s) => s.name === 'process weather-ready', bodies.length, DELIVERY);
}

describe("a queue batch and Cloudflare's native trace", () => {
  beforeEach(() => memoryExporter.reset());

  it('each process span carries the ids of the one native invocation span; messages of one trace give it one trace id', async () => {
    const traceId = hex(32, 1);
    const processes = await deliver([body('78729', traceId, hex(16, 2)), body('78729', traceId, hex(16, 3))]);
    for (const span of processes) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.attributes['cloudflare.trace_id']).toMatch(HEX32);
      expect(span.attributes['cloudflare.span_id']).toMatch(HEX16);
    }
    const native = await nativeSpanWith(traceId, DELIVERY);
    for (const span of processes) {
      expect({ traceId: span.attributes['cloudflare.trace_id'], spanId: span.attributes['cloudflare.span_id'] }).toEqual({
        traceId: native.traceId,
        spanId: native.spanId,
      });
    }
    // The format is the one landscape job the dispatcher sent for the ZIP (its default format): a run word of the process span too.
    expect(native.attributes).toEqual({ 'weather_landscape.trace_id': traceId, 'weather_landscape.zip': '78729', 'weather_landscape.format': 'rgb_light' });
  });

  it('messages of several traces: the native span lists each trace once, and each run word the messages carry', async () => {
    const [a, b] = [hex(32, 4), hex(32, 5)];
    await deliver([body('78729', a, hex(16, 6)), body('78701', b, hex(16, 7)), body('78729', a, hex(16, 8))]);
    const native = await nativeSpanWith(a, DELIVERY);
    expect(native.attributes).toEqual({
      'weather_landscape.trace_id': `${a},${b}`,
      'weather_landscape.zip': '78729,78701',
      'weather_landscape.format': 'rgb_light',
    });
  });
});
