import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/fetcher';
import { recordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import { Forecast } from '../../../src/domain/forecast';
import { expectSpanTree } from '../../../src/otel/testing';
import type { Env } from '../../../src/env';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';
const stubUrl = () => env.OPEN_METEO_FORECAST_URL as string;

function fetchJob(zip: string, carrier = true) {
  return {
    schema_version: 1,
    zip_code: zip,
    scheduled_at: '2026-06-21T12:00:00.000Z',
    trigger: 'admin',
    ...(carrier ? { _otel: { traceparent: `00-${TRACE_ID}-${PARENT}-01` } } : {}),
  };
}

async function setFault(fault: unknown) {
  await fetch(`${stubUrl()}/__stub/fault`, { method: 'POST', body: JSON.stringify(fault), headers: { 'content-type': 'application/json' } });
}

async function run(body: unknown, attempts = 1) {
  const weatherReady = recordingQueue(env.WEATHER_READY);
  const deadLetters = recordingQueue(env.DEAD_LETTERS);
  const testEnv = { ...env, WEATHER_READY: weatherReady, DEAD_LETTERS: deadLetters } as unknown as Env;
  const result = await deliverBatch(worker, 'fetch-jobs', [{ body, attempts }], testEnv);
  return { result, weatherReady, deadLetters };
}

describe('fetcher', () => {
  beforeEach(() => memoryExporter.reset());
  afterEach(() => setFault(null));

  it('geocodes, caches the geocode and sends the forecast in weather-ready, storing no weather in KV', async () => {
    await env.CONFIG.delete('geo:78729');
    const { result, weatherReady } = await run(fetchJob('78729'));
    expect(result.explicitAcks).toEqual(['m0']);
    expect(await env.CONFIG.get('geo:78729', 'json')).toMatchObject({ zip: '78729' });
    // Only the geocode was written; the weather and the run record live elsewhere.
    expect((await env.CONFIG.list()).keys.map((k) => k.name).filter((k) => !k.startsWith('geo:'))).toEqual([]);
    const [event] = weatherReady.sent as Array<Record<string, unknown>>;
    const forecast = Forecast.parse(event.forecast);
    expect(forecast.hourly.length).toBeGreaterThanOrEqual(25);
    expect(forecast.location).toMatchObject({ name: 'Austin, Texas', zip: '78729' });
    // The provider rides in the forecast itself (the dispatcher reads it from there for the run record).
    expect(forecast.source.provider).toBe('open-meteo');
    expect(event).toMatchObject({ schema_version: 1, zip_code: '78729', fetched_at: forecast.source.fetchedAt });
    expect((event._otel as { traceparent: string }).traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
  });

  it('writes no KV key at all once the geocode is cached (a scheduled run in steady state)', async () => {
    await run(fetchJob('96813'));
    const keys = async () => (await env.CONFIG.list()).keys.map((k) => k.name).sort();
    const before = await keys();
    memoryExporter.reset();
    const { result } = await run(fetchJob('96813'));
    expect(result.explicitAcks).toEqual(['m0']);
    expect(await keys()).toEqual(before);
    expect(
      memoryExporter
        .getFinishedSpans()
        .filter((s) => s.attributes['db.system.name'] === 'cloudflare_kv' && /^(put|delete)$/.test(String(s.attributes['db.operation.name']))),
    ).toEqual([]);
  });

  it('puts the weather API calls, KV writes and the send under the message span', async () => {
    await env.CONFIG.delete('geo:99701');
    await run(fetchJob('99701'));
    const spans = memoryExporter.getFinishedSpans();
    expectSpanTree(spans, {
      name: 'process fetch-jobs',
      kind: 'CONSUMER',
      attributes: { 'messaging.destination.name': 'fetch-jobs', 'messaging.cloudflare_queues.outcome': 'ack' },
      children: [
        { name: 'GET /v1/search', kind: 'CLIENT', attributes: { 'url.template': '/v1/search', 'server.address': '127.0.0.1' } },
        { name: 'GET /v1/forecast', kind: 'CLIENT', attributes: { 'url.template': '/v1/forecast', 'server.address': '127.0.0.1' } },
        { name: 'put geo:{zip}', kind: 'CLIENT', attributes: { 'cloudflare.kv.key': 'geo:99701' } },
        { name: 'send weather-ready', kind: 'PRODUCER' },
      ],
    });
    const process = spans.find((s) => s.name === 'process fetch-jobs')!;
    expect(process.spanContext().traceId).toBe(TRACE_ID);
    expect(process.parentSpanContext?.spanId).toBe(PARENT);
  });

  it('dead-letters an unknown ZIP at once, with the reason, without retrying', async () => {
    const { result, deadLetters, weatherReady } = await run(fetchJob('00000'));
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toEqual(['m0']);
    expect(weatherReady.sent).toHaveLength(0);
    expect(deadLetters.sent[0]).toMatchObject({ queue: 'fetch-jobs', error_type: 'UnknownZipError', attempts: 1 });
    expect((deadLetters.sent[0] as { reason: string }).reason).toMatch(/00000/);
  });

  it('retries a weather API 500 with backoff, then dead-letters after the last attempt', async () => {
    await env.CONFIG.delete('geo:96813');
    await setFault({ kind: '500' });
    const first = await run(fetchJob('96813'), 1);
    expect(first.result.retryMessages).toHaveLength(1);
    expect(first.result.retryDelays.get('m0')).toBeGreaterThanOrEqual(1);
    expect(first.deadLetters.sent).toHaveLength(0);
    const last = await run(fetchJob('96813'), 4);
    expect(last.result.retryMessages).toEqual([]);
    expect(last.deadLetters.sent[0]).toMatchObject({ error_type: 'WeatherApiError', attempts: 4 });
    expect((last.deadLetters.sent[0] as { reason: string }).reason).toMatch(/gave up after 4 attempts/);
  });

  it("honours a 429's Retry-After in the retry delay", async () => {
    await env.CONFIG.delete('geo:10001');
    await setFault({ kind: '429', retryAfterSeconds: 40 });
    const { result } = await run(fetchJob('10001'));
    expect(result.retryDelays.get('m0')).toBeGreaterThanOrEqual(40);
  });
});

describe('secrets in telemetry', () => {
  it('never exports the OpenWeatherMap key, though it travels in the request URL', async () => {
    const { receivedSpans } = await import('../control');
    const secret = 'owm-secret-key-1234567890';
    const weatherReady = recordingQueue(env.WEATHER_READY);
    const testEnv = { ...env, OWM_API_KEY: secret, OWM_API_URL: stubUrl(), WEATHER_READY: weatherReady } as unknown as Env;
    // A ZIP and trace of this test alone: the receiver is shared with the project's other files, which run at the same time.
    const zip = '79418';
    const traceId = crypto.randomUUID().replaceAll('-', '');
    const body = { ...fetchJob(zip), _otel: { traceparent: `00-${traceId}-${PARENT}-01` } };
    const result = await deliverBatch(worker, 'fetch-jobs', [{ body }], testEnv);
    expect(result.explicitAcks).toEqual(['m0']);
    // The key travelled in the request URL (its parameter is there, its value redacted), and
    // nothing that reached the OTLP receiver contains it.
    const all = await receivedSpans();
    const ours = all.filter((s) => s.traceId === traceId);
    expect(ours.map((s) => s.name)).toEqual(expect.arrayContaining(['process fetch-jobs']));
    expect(JSON.stringify(ours)).toMatch(/appid=REDACTED/);
    expect(JSON.stringify(all)).not.toContain(secret);
  });
});
