import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeTestbed, startTestbed } from './testbed';
import { type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { expectSpanTree } from '../support/span-tree';
import type { WeatherStub } from '../support/weather-stub';
import { waitFor, type Stack } from './stack';

/**
 * One click on "Generate" is ONE trace across the four workers, exported over real OTLP/HTTP
 * from the real `npm start` stack to a local receiver standing in for Jaeger.
 */
let weather: WeatherStub;
let receiver: OtlpReceiver;
let stack: Stack;

beforeAll(async () => {
  ({ weather, receiver, stack } = await startTestbed({
    OTEL_EXPORT_TIMEOUT_MS: '2000',
    JAEGER_UI_URL: 'http://jaeger.example:16686',
  }));
});

afterAll(async () => {
  await closeTestbed({ stack, receiver, weather });
});

beforeEach(async () => {
  await receiver.setMode('ok');
});

async function imageServed(path: string, timeoutMs = 8000): Promise<void> {
  await waitFor(`${path} to be served`, async () => ((await fetch(`${stack.baseUrl}${path}`)).status === 200 ? true : undefined), timeoutMs);
}

describe('end-to-end trace', () => {
  it('makes one generate request one trace: web → fetcher → dispatcher → 3 × generator', async () => {
    for (const format of ['rgb_dark', 'bw']) await stack.admin(`/admin/formats/add?zip=78729&format=${format}`);
    const res = await stack.admin('/admin/generate?zip=78729');
    expect(res.status).toBe(202);
    const body = (await res.json()) as { trace_id: string; traceparent: string; jaeger_url: string };
    expect(res.headers.get('traceparent')).toBe(body.traceparent);
    expect(body.jaeger_url).toBe(`http://jaeger.example:16686/trace/${body.trace_id}`);

    const countOf = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.traceId === body.trace_id && s.name === name).length;
    await receiver.waitForSpans(
      (spans) => countOf(spans, 'process landscape-jobs') === 3 && countOf(spans, 'R2 WEATHER_IMAGES put') === 3 && countOf(spans, 'send fetch-jobs') === 1,
      15_000,
    );
    const spans = receiver.spansOfTrace(body.trace_id);
    const generator = {
      name: 'process landscape-jobs',
      kind: 'CONSUMER' as const,
      service: 'landscape-generator',
      count: 3,
      attributes: { 'messaging.system': 'cloudflare_queues', 'messaging.destination.name': 'landscape-jobs', 'messaging.cloudflare_queues.outcome': 'ack' },
      children: [
        { name: 'render landscape', attributes: { 'landscape.format': /^(rgb_light|rgb_dark|bw)$/ } },
        { name: 'R2 WEATHER_IMAGES put', kind: 'CLIENT' as const },
      ],
    };
    expectSpanTree(spans, {
      name: /^fetchHandler POST/,
      kind: 'SERVER',
      service: 'weather-landscape-web',
      children: [
        {
          name: 'send fetch-jobs',
          kind: 'PRODUCER',
          attributes: { 'messaging.destination.name': 'fetch-jobs', 'messaging.operation.type': 'send' },
          children: [
            {
              name: 'process fetch-jobs',
              kind: 'CONSUMER',
              service: 'weather-fetcher',
              children: [
                { name: /^fetch GET/, kind: 'CLIENT', attributes: { 'url.full': /\/v1\/search\?/ } },
                { name: /^fetch GET/, kind: 'CLIENT', attributes: { 'url.full': /\/v1\/forecast\?/ } },
                { name: 'KV CONFIG put' },
                {
                  name: 'send weather-ready',
                  kind: 'PRODUCER',
                  children: [
                    {
                      name: 'process weather-ready',
                      kind: 'CONSUMER',
                      service: 'job-dispatcher',
                      children: [
                        { name: 'send landscape-jobs', kind: 'PRODUCER', attributes: { 'messaging.batch.message_count': 3 }, children: [generator] },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(new Set(spans.map((s) => s.serviceName))).toEqual(
      new Set(['weather-landscape-web', 'weather-fetcher', 'job-dispatcher', 'landscape-generator']),
    );
    for (const span of spans) expect(span.resource['deployment.environment.name']).toBe('local');

    // Every worker's log lines for this run carry its trace id.
    const services = new Set(stack.logs().filter((l) => l.trace_id === body.trace_id).map((l) => l.service));
    expect(services).toEqual(new Set(['weather-fetcher', 'job-dispatcher', 'landscape-generator', 'weather-landscape-web']));
  });

  it('still produces images with the collector down, and logs the failed export', async () => {
    await receiver.setMode('down');
    const res = await stack.admin('/admin/generate?zip=99701');
    expect(res.status).toBe(202);
    await imageServed('/99701/rgb_light.png');
    await waitFor('an export failure log line', async () => stack.logsWith('span export failed; spans dropped')[0]);
  });

  it('exports no span from any worker for an unsampled traceparent (flags 00), and still produces the images', async () => {
    receiver.clear();
    const traceId = 'abcdef0123456789abcdef0123456789';
    const res = await stack.admin('/admin/generate?zip=96813', { headers: { traceparent: `00-${traceId}-0123456789abcdef-00` } });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { trace_id: string }).trace_id).toBe(traceId);
    await imageServed('/96813/rgb_light.png');
    // Give the last worker's export (if it wrongly happened) time to arrive.
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.spans.filter((s) => s.traceId === traceId)).toEqual([]);
    // The run's log lines still carry the trace id, so logs stay correlated without spans.
    expect(stack.logs().some((l) => l.trace_id === traceId && l.service === 'landscape-generator')).toBe(true);
  });
});
