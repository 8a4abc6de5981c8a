import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/generator';
import { recordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import { FIXTURES } from '../../fixtures/forecasts';
import { expectSpanTree } from '../../support/span-tree';
import type { Env } from '../../../src/env';
import type { Forecast } from '../../../src/domain/forecast';

const TRACE_ID = '5b8aa5a2d2c872e8321cf37308d69df2';
const PARENT = '051581bf3cb55c13';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function forecastFor(zip: string, fetchedAt: string): Forecast {
  const base = Object.values(FIXTURES)[0] as Forecast;
  return { ...base, location: { ...base.location, zip }, source: { ...base.source, fetchedAt } };
}

function job(zip: string, format: string, fetchedAt = '2026-06-21T12:00:00.000Z') {
  return {
    schema_version: 1,
    zip_code: zip,
    format_name: format,
    lat: 30.45,
    lon: -97.79,
    fetched_at: fetchedAt,
    enqueued_at: fetchedAt,
    _otel: { traceparent: `00-${TRACE_ID}-${PARENT}-01` },
  };
}

async function run(bodies: unknown[]) {
  const deadLetters = recordingQueue(env.DEAD_LETTERS);
  const testEnv = { ...env, DEAD_LETTERS: deadLetters } as unknown as Env;
  const result = await deliverBatch(worker, 'landscape-jobs', bodies.map((body) => ({ body })), testEnv);
  return { result, deadLetters };
}

describe('generator', () => {
  beforeEach(() => memoryExporter.reset());

  it('renders each job and stores the image in R2 with content type, custom metadata and KV metadata', async () => {
    await env.CONFIG.put('weather:78729', JSON.stringify(forecastFor('78729', '2026-06-21T12:00:00.000Z')));
    const { result } = await run([job('78729', 'rgb_light'), job('78729', 'eink')]);
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1']);
    const png = await env.WEATHER_IMAGES.get('78729/rgb_light.png');
    expect(png?.httpMetadata?.contentType).toBe('image/png');
    expect(png?.customMetadata).toMatchObject({ zip: '78729', 'weather-fetched-at': '2026-06-21T12:00:00.000Z' });
    const bytes = new Uint8Array(await png!.arrayBuffer());
    expect([...bytes.slice(0, 8)]).toEqual(PNG_SIGNATURE);
    const bmp = await env.WEATHER_IMAGES.get('78729/eink.bmp');
    expect(bmp?.httpMetadata?.contentType).toBe('image/bmp');
    const meta = (await env.CONFIG.get('metadata:78729:eink', 'json')) as Record<string, unknown>;
    expect(meta).toMatchObject({ zipCode: '78729', format: 'eink', width: 128, height: 296, traceId: TRACE_ID });
  });

  it('traces one process span per job with the render and the R2 put under it', async () => {
    await env.CONFIG.put('weather:78729', JSON.stringify(forecastFor('78729', '2026-06-21T12:00:00.000Z')));
    await run([job('78729', 'bw')]);
    expectSpanTree(memoryExporter.getFinishedSpans(), {
      name: 'process landscape-jobs',
      kind: 'CONSUMER',
      attributes: { 'messaging.cloudflare_queues.outcome': 'ack', 'messaging.message.id': 'm0' },
      children: [
        { name: 'render landscape', attributes: { 'weather_landscape.format': 'bw', 'landscape.width': 296, 'landscape.bytes': (v: unknown) => Number(v) > 0 } },
        { name: 'R2 WEATHER_IMAGES put', kind: 'CLIENT', attributes: { 'cloudflare.r2.key': '78729/bw.bmp' } },
      ],
    });
  });

  it('never lets an older run overwrite an image drawn from newer weather', async () => {
    await env.CONFIG.put('weather:99701', JSON.stringify(forecastFor('99701', '2026-06-21T13:00:00.000Z')));
    await run([job('99701', 'rgb_dark', '2026-06-21T13:00:00.000Z')]);
    const first = await env.CONFIG.get('metadata:99701:rgb_dark', 'json');
    await env.CONFIG.put('weather:99701', JSON.stringify(forecastFor('99701', '2026-06-21T12:00:00.000Z')));
    const { result } = await run([job('99701', 'rgb_dark', '2026-06-21T12:00:00.000Z')]);
    expect(result.explicitAcks).toEqual(['m0']);
    expect(await env.CONFIG.get('metadata:99701:rgb_dark', 'json')).toEqual(first);
  });

  it('dead-letters a job whose weather has expired, and an unknown format, without retries', async () => {
    await env.CONFIG.delete('weather:10001');
    const { result, deadLetters } = await run([job('10001', 'rgb_light'), job('78729', 'sepia')]);
    expect(result.retryMessages).toEqual([]);
    const reasons = (deadLetters.sent as Array<{ error_type: string }>).map((d) => d.error_type).sort();
    expect(reasons).toEqual(['invalid_message', 'weather_missing']);
  });
});
