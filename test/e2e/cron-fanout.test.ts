import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpReceiver, ReceivedSpan } from '../../src/otel/testing';
import type { WeatherStub } from '../support/weather-stub';
import type { Stack } from './stack';
import { closeTestbed, startTestbed } from './testbed';

/**
 * The cron on the real `npm start` stack with a few hundred active ZIPs: one tick sends every ZIP's
 * fetch job in ceil(N / 100) sendBatch calls, and each run is still a trace of its own: its
 * `scheduled run` root is its message's creation context, linked from the cron trace's `send fetch-jobs` span.
 */
let weather: WeatherStub;
let receiver: OtlpReceiver;
let stack: Stack;

/** 7xxxx ZIPs: the weather stub answers every one of them. 250 = batches of 100, 100 and 50. */
const ZIPS = Array.from({ length: 250 }, (_, i) => String(70_000 + i * 37));

beforeAll(async () => {
  ({ weather, receiver, stack } = await startTestbed({ OTEL_EXPORT_TIMEOUT_MS: '5000' }));
  // Activated through the real admin API, a few at a time.
  for (let i = 0; i < ZIPS.length; i += 10) {
    const answers = await Promise.all(ZIPS.slice(i, i + 10).map((zip) => stack.admin(`/admin/activate?zip=${zip}`, { method: 'POST' })));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  }
});

afterAll(async () => {
  await closeTestbed({ stack, receiver, weather });
});

const zipOf = (span: ReceivedSpan) => span.attributes['weather_landscape.zip'] as string;

describe('cron fan-out on the real stack', () => {
  it('one tick: every ZIP gets exactly one fetch job, in ceil(N / 100) sendBatch calls, each run a trace of its own linked from the cron trace', async () => {
    receiver.clear();
    expect((await fetch(`${stack.baseUrl}/__scheduled?cron=*/15+*+*+*+*`)).status).toBe(200);
    const processedOnce = (spans: ReceivedSpan[]) => new Set(spans.filter((s) => s.name === 'process fetch-jobs').map(zipOf)).size >= ZIPS.length;
    const spans = await receiver.waitForSpans((all) => processedOnce(all) && all.some((s) => s.name.startsWith('cron ')), 120_000);

    const crons = spans.filter((s) => s.name === 'cron */15 * * * *');
    expect(crons).toHaveLength(1);
    const [cron] = crons;
    const sends = spans.filter((s) => s.name === 'send fetch-jobs' && s.traceId === cron.traceId);
    // One send span per binding call: ceil(250 / 100) = 3 sendBatch calls, each a batch.
    expect(sends).toHaveLength(Math.ceil(ZIPS.length / 100));
    for (const send of sends) {
      expect(send).toMatchObject({
        kind: 'CLIENT',
        parentSpanId: cron.spanId,
        attributes: { 'messaging.operation.name': 'send', 'messaging.batch.message_count': send.links.length },
      });
      expect(send.links.length).toBeLessThanOrEqual(100);
    }
    const linked = new Map(sends.flatMap((s) => s.links.map((l) => [`${l.traceId}/${l.spanId}`, s] as const)));
    expect(linked.size).toBe(ZIPS.length);

    const roots = spans.filter((s) => s.name === 'scheduled run');
    expect(roots.map(zipOf).sort()).toEqual([...ZIPS].sort());
    expect(new Set(roots.map((r) => r.traceId)).size).toBe(ZIPS.length);
    const processes = spans.filter((s) => s.name === 'process fetch-jobs');
    for (const root of roots) {
      expect(root.traceId).not.toBe(cron.traceId);
      expect(root.parentSpanId).toBeUndefined();
      expect(root.links).toEqual([expect.objectContaining({ traceId: cron.traceId, spanId: cron.spanId })]);
      // scheduled run (its message's creation context, linked from a send of the cron trace) → process fetch-jobs, exactly once.
      expect(linked.has(`${root.traceId}/${root.spanId}`)).toBe(true);
      const processed = processes.filter((p) => p.traceId === root.traceId);
      expect(processed.map((p) => [p.parentSpanId, zipOf(p), p.attributes['messaging.cloudflare_queues.message.attempts']])).toEqual([
        [root.spanId, zipOf(root), 1],
      ]);
    }
    expect(spans.filter((s) => s.name === 'create fetch-jobs')).toEqual([]);
    expect(processes.filter((p) => p.attributes['weather_landscape.run.trigger'] === 'cron')).toHaveLength(ZIPS.length);
  });
});
