import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/generator';
import { recordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import { FETCHED_AT, forecastFor, landscapeJob } from './landscape-job';
import { expectSpanTree } from '../../../src/otel/testing';
import type { Env } from '../../../src/env';

const TRACE_ID = '5b8aa5a2d2c872e8321cf37308d69df2';
const PARENT = '051581bf3cb55c13';
const RUN_ID = TRACE_ID;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A landscape job as the dispatcher sends it, the forecast in the body; `legacy` leaves it out (a body from before). */
function job(zip: string, format: string, fetchedAt = FETCHED_AT, { legacy = false } = {}) {
  const { forecast, ...body } = landscapeJob(zip, format, fetchedAt);
  return { ...body, ...(legacy ? {} : { forecast }), _otel: { traceparent: `00-${TRACE_ID}-${PARENT}-01` } };
}

/** Every KV key, to show the generator writes none. */
async function kvKeys(): Promise<string[]> {
  return (await env.CONFIG.list()).keys.map((k) => k.name).sort();
}

async function run(bodies: unknown[]) {
  const deadLetters = recordingQueue(env.DEAD_LETTERS);
  const testEnv = { ...env, DEAD_LETTERS: deadLetters } as unknown as Env;
  const result = await deliverBatch(
    worker,
    'landscape-jobs',
    bodies.map((body) => ({ body })),
    testEnv,
  );
  return { result, deadLetters };
}

describe('generator', () => {
  beforeEach(() => memoryExporter.reset());

  it('renders each job from the forecast it carries and stores the image in R2 with its metadata, writing no KV key', async () => {
    const kvBefore = await kvKeys();
    const withPlace = job('78729', 'rgb_light');
    withPlace.forecast!.location.name = 'Austin, Texas';
    const { result } = await run([withPlace, { ...job('78729', 'eink'), run_id: RUN_ID }]);
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1']);
    const png = await env.WEATHER_IMAGES.get('78729/rgb_light.png');
    expect(png?.httpMetadata?.contentType).toBe('image/png');
    expect(png?.customMetadata).toMatchObject({ zip: '78729', 'weather-fetched-at': '2026-06-21T12:00:00.000Z', place: 'Austin, Texas', 'trace-id': TRACE_ID });
    expect(png?.customMetadata?.['run-id']).toBeUndefined(); // a cron run has no run record
    const bytes = new Uint8Array(await png!.arrayBuffer());
    expect([...bytes.slice(0, 8)]).toEqual(PNG_SIGNATURE);
    const bmp = await env.WEATHER_IMAGES.get('78729/eink.bmp');
    expect(bmp?.httpMetadata?.contentType).toBe('image/bmp');
    expect(bmp?.customMetadata).toMatchObject({ zip: '78729', 'run-id': RUN_ID, 'trace-id': TRACE_ID, lat: '30.45', lon: '-97.79', size: String(bmp!.size) });
    expect(Date.parse(bmp!.customMetadata!['generated-at'])).not.toBeNaN();
    expect(await kvKeys()).toEqual(kvBefore);
  });

  it('draws a job from before forecasts rode in the messages from the legacy weather:{zip} key', async () => {
    await env.CONFIG.put('weather:78730', JSON.stringify(forecastFor('78730', '2026-06-21T12:30:00.000Z')));
    const { result, deadLetters } = await run([job('78730', 'bw', '2026-06-21T12:30:00.000Z', { legacy: true })]);
    expect([result.explicitAcks, deadLetters.sent]).toEqual([['m0'], []]);
    expect((await env.WEATHER_IMAGES.head('78730/bw.bmp'))?.customMetadata?.['weather-fetched-at']).toBe('2026-06-21T12:30:00.000Z');
  });

  it('traces one process span per job with the render and the R2 head and put under it', async () => {
    await run([job('78729', 'bw')]);
    expectSpanTree(memoryExporter.getFinishedSpans(), {
      name: 'process landscape-jobs',
      kind: 'CONSUMER',
      attributes: { 'messaging.cloudflare_queues.outcome': 'ack', 'messaging.message.id': 'm0' },
      children: [
        { name: 'render bw', attributes: { 'weather_landscape.format': 'bw', 'landscape.width': 296, 'landscape.bytes': (v: unknown) => Number(v) > 0 } },
        { name: 'head {zip}/bw.bmp', kind: 'CLIENT', attributes: { 'cloudflare.r2.key': '78729/bw.bmp' } },
        { name: 'put {zip}/bw.bmp', kind: 'CLIENT', attributes: { 'cloudflare.r2.key': '78729/bw.bmp' } },
      ],
    });
  });

  it('exports our spans under our own scope names and a resource without untrue attributes', async () => {
    await run([job('78729', 'eink')]);
    const spans = memoryExporter.getFinishedSpans();
    const scopes = Object.fromEntries(spans.map((s) => [s.name, s.instrumentationScope.name]));
    expect(scopes).toEqual({
      'process landscape-jobs': 'weather-landscape.queue',
      'render eink': 'weather-landscape.render',
      'head {zip}/eink.bmp': 'weather-landscape.r2',
      'put {zip}/eink.bmp': 'weather-landscape.r2',
    });
    const resource = spans[0].resource.attributes;
    expect(resource).toMatchObject({
      'service.name': 'landscape-generator',
      'cloud.provider': 'cloudflare',
      'deployment.environment.name': expect.any(String),
    });
    expect(Object.keys(resource)).not.toContain('cloud.region');
    expect(Object.keys(resource)).not.toContain('deployment.environment');
  });

  it('never lets an older run overwrite an image drawn from newer weather', async () => {
    await run([job('99701', 'rgb_dark', '2026-06-21T13:00:00.000Z')]);
    const first = await env.WEATHER_IMAGES.head('99701/rgb_dark.png');
    const { result } = await run([job('99701', 'rgb_dark', '2026-06-21T12:00:00.000Z')]);
    expect(result.explicitAcks).toEqual(['m0']);
    const after = await env.WEATHER_IMAGES.head('99701/rgb_dark.png');
    expect([after?.etag, after?.customMetadata]).toEqual([first?.etag, first?.customMetadata]);
  });

  it('dead-letters a legacy job whose weather has expired, and an unknown format, without retries', async () => {
    await env.CONFIG.delete('weather:10001');
    const { result, deadLetters } = await run([job('10001', 'rgb_light', undefined, { legacy: true }), job('78729', 'sepia')]);
    expect(result.retryMessages).toEqual([]);
    const reasons = (deadLetters.sent as Array<{ error_type: string }>).map((d) => d.error_type).sort();
    expect(reasons).toEqual(['invalid_message', 'weather_missing']);
  });
});
