import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpReceiver, ReceivedSpan } from '../../src/otel/testing';
import type { WeatherStub } from '../support/weather-stub';
import { waitFor, type Stack } from './stack';
import { closeTestbed, startTestbed } from './testbed';

/**
 * Failed runs at OTEL_TRACES_SAMPLER_ARG=0 (0 rather than 0.1, so that "not sampled" is certain), on
 * the real `npm start` stack: an admin run for an unknown ZIP arrives whole, root included; a cron
 * run for it arrives as what the error rule keeps: the fetcher's failing invocation and the web
 * worker's dead-letter record, not the root (its invocation did not fail).
 */
let weather: WeatherStub;
let receiver: OtlpReceiver;
let stack: Stack;

const UNKNOWN_ZIP = '00000';
const KEPT = 'weather_landscape.sampling.kept_for_error';
const WEB = 'weather-landscape-web';

beforeAll(async () => {
  ({ weather, receiver, stack } = await startTestbed({ OTEL_TRACES_SAMPLER_ARG: '0' }));
});

afterAll(async () => {
  await closeTestbed({ stack, receiver, weather });
});

const named = (spans: ReceivedSpan[], name: string, service?: string) => spans.filter((s) => s.name === name && (!service || s.serviceName === service));

describe('a failed run at sampling ratio 0', () => {
  it('started from the admin, arrives whole: its root, the failure and the web worker recording the dead letter', async () => {
    const res = await stack.admin(`/admin/generate?zip=${UNKNOWN_ZIP}`);
    expect(res.status).toBe(202);
    const body = await res.json<{ trace_id: string; jaeger_url: string | null }>();
    expect(body.jaeger_url).toMatch(new RegExp(`/trace/${body.trace_id}$`));
    await receiver.waitForSpans(
      (spans) =>
        named(
          spans.filter((s) => s.traceId === body.trace_id),
          'process fetch-jobs-dlq',
          WEB,
        ).length === 1,
      30_000,
    );
    const spans = receiver.spansOfTrace(body.trace_id);

    const [root] = named(spans, 'POST /admin/generate', WEB);
    expect(root, 'the root span').toBeDefined();
    expect(root.parentSpanId).toBeFalsy();
    const [failed] = named(spans, 'process fetch-jobs', 'weather-fetcher');
    expect(failed.attributes).toMatchObject({
      'messaging.cloudflare_queues.outcome': 'dead_letter',
      'error.type': 'UnknownZipError',
      'messaging.cloudflare_queues.message.attempts': 1,
    });
    expect(failed.attributes['messaging.cloudflare_queues.message.queue_time_ms']).toBeGreaterThanOrEqual(0);
    const [record] = named(spans, 'process fetch-jobs-dlq', WEB);
    expect(record.attributes).toMatchObject({
      'messaging.cloudflare_queues.outcome': 'ack',
      'weather_landscape.zip': UNKNOWN_ZIP,
      'weather_landscape.run.trigger': 'admin',
    });
    // One tree: every span's parent is in the trace, and the root is the only span without one.
    const ids = new Set(spans.map((s) => s.spanId));
    expect(spans.filter((s) => !s.parentSpanId).map((s) => s.name)).toEqual(['POST /admin/generate']);
    for (const span of spans.filter((s) => s.parentSpanId)) expect(ids.has(span.parentSpanId!), `parent of ${span.name}`).toBe(true);
    for (const name of ['send fetch-jobs', 'GET /v1/search', 'send fetch-jobs-dlq']) expect(named(spans, name), name).toHaveLength(1);
    // Head-sampled, not rescued: nothing in it is marked kept for an error.
    expect(spans.filter((s) => s.attributes[KEPT] !== undefined)).toEqual([]);
  });

  it('started by the cron, arrives without its root but with its failure and the web worker recording the dead letter', async () => {
    expect((await stack.admin(`/admin/activate?zip=${UNKNOWN_ZIP}`)).status).toBe(200);
    const sent = receiver.spans.length;
    expect((await fetch(`${stack.baseUrl}/__scheduled?cron=*/15+*+*+*+*`)).status).toBe(200);
    const record = await waitFor(
      'the web worker to record the cron run’s dead letter',
      async () => named(receiver.spans.slice(sent), 'process fetch-jobs-dlq', WEB).find((s) => s.attributes['weather_landscape.run.trigger'] === 'cron'),
      30_000,
    );
    const spans = receiver.spansOfTrace(record.traceId);
    expect(record.attributes).toMatchObject({ 'weather_landscape.zip': UNKNOWN_ZIP, [KEPT]: true });
    const [failed] = named(spans, 'process fetch-jobs', 'weather-fetcher');
    expect(failed.attributes).toMatchObject({ 'messaging.cloudflare_queues.outcome': 'dead_letter', 'error.type': 'UnknownZipError', [KEPT]: true });
    // The cron's invocation went well and exported nothing: the run's root is not there, and cannot be.
    expect(named(spans, 'scheduled run')).toEqual([]);
    expect(
      spans.filter((s) => !s.parentSpanId).map((s) => s.name),
      'spans without a parent (a root)',
    ).toEqual([]);
    expect(named(receiver.spans.slice(sent), 'cron */15 * * * *')).toEqual([]);
    // Every span that did arrive is marked as kept for the error.
    for (const span of spans) expect(span.attributes[KEPT], span.name).toBe(true);
  });
});
