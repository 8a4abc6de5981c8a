import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import '../memory-spans';
import worker from '../../../src/workers/generator';
import { clockPast } from '../clock';
import { recordingQueue } from '../recording-queue';
import { deliverBatch, type TestMessage } from '../queue-batch';
import { FETCHED_AT, forecastFor, landscapeJob } from './landscape-job';
import { getRun, recordRunDispatched, recordRunStarted } from '../../../src/storage/run-log';
import type { Env } from '../../../src/env';

/**
 * Queues deliver at least once: the same landscape job may arrive twice (a redelivery after a lost
 * ack, a duplicate send, a dead letter replayed). The stored state must come out the same.
 *
 * What may legitimately differ after a duplicate (decided here, and nothing else may):
 * - `generated-at` in the R2 custom metadata: when the write happened (the bytes, their etag and
 *   everything derived from the weather stay equal);
 * - `trace-id` and `run-id` in the R2 custom metadata, only when the duplicate ran in another trace
 *   or run (a replay);
 * - R2's own `uploaded` time and version id.
 * The run as the admin sees it (status, formats, one image per format) does not change.
 */
const TRACE_ID = '9f2e1d0c4b5a69788796a5b4c3d2e1f0';
const RUN_ID = TRACE_ID;
const carrier = (traceId = TRACE_ID) => ({ traceparent: `00-${traceId}-0123456789abcdef-01` });

function job(zip: string, format: string, extra: Record<string, unknown> = {}, fixture = 0) {
  const fetchedAt = (extra.fetched_at as string | undefined) ?? FETCHED_AT;
  return { ...landscapeJob(zip, format, fetchedAt, fixture), run_id: RUN_ID, _otel: carrier(), ...extra };
}

async function deliver(messages: TestMessage[], bucket: R2Bucket = env.WEATHER_IMAGES) {
  const deadLetters = recordingQueue(env.DEAD_LETTERS);
  const testEnv = { ...env, WEATHER_IMAGES: bucket, DEAD_LETTERS: deadLetters } as unknown as Env;
  const result = await deliverBatch(worker, 'landscape-jobs', messages, testEnv);
  expect(deadLetters.sent).toEqual([]);
  expect(result.retryMessages).toEqual([]);
  expect(result.explicitAcks.sort()).toEqual(messages.map((m, i) => m.id ?? `m${i}`).sort());
  return result;
}

const KEYS = { rgb_light: 'png', rgb_dark: 'png', eink: 'bmp', bw: 'bmp' } as Record<string, string>;

/** The stored state of one image, with the fields that may change (see above) set aside. */
async function snapshot(zip: string, format: string) {
  const object = await env.WEATHER_IMAGES.get(`${zip}/${format}.${KEYS[format]}`);
  expect(object).not.toBeNull();
  const bytes = new Uint8Array(await object!.arrayBuffer());
  const { 'generated-at': generatedAt, ...customMetadata } = object!.customMetadata ?? {};
  return {
    stable: { bytes: [...bytes], size: object!.size, etag: object!.httpEtag, httpMetadata: object!.httpMetadata, customMetadata },
    generatedAt: String(generatedAt),
  };
}

async function runView() {
  const view = await getRun(env.CONFIG, env.WEATHER_IMAGES, RUN_ID);
  expect(view).toBeDefined();
  return {
    status: view!.status,
    formats: view!.formats,
    images: view!.images.map((i) => `${i.format} ${i.bytes} ${i.url}`).sort(),
    skipped: view!.skipped,
    errors: view!.errors,
  };
}

/** Every KV key: the generator must write none. */
const kvKeys = async () => (await env.CONFIG.list()).keys.map((k) => k.name).sort();

describe('duplicate landscape jobs', () => {
  it('a redelivery of the same job leaves the same image, metadata and run view', async () => {
    const zip = '75001';
    await recordRunStarted(env.CONFIG, RUN_ID, { zip, trigger: 'admin' });
    await recordRunDispatched(env.CONFIG, RUN_ID, { weather_fetched_at: FETCHED_AT, provider: 'open-meteo', formats: ['rgb_light', 'eink'] });
    const kvBefore = await kvKeys();
    await deliver([
      { id: 'a', body: job(zip, 'rgb_light') },
      { id: 'b', body: job(zip, 'eink') },
    ]);
    const once = { light: await snapshot(zip, 'rgb_light'), eink: await snapshot(zip, 'eink'), run: await runView() };
    expect(once.run).toMatchObject({ status: 'done', images: [expect.stringMatching(/^eink /), expect.stringMatching(/^rgb_light /)], skipped: [] });

    await clockPast(once.light.generatedAt); // so that a changed timestamp would show
    await deliver([{ id: 'a', body: job(zip, 'rgb_light'), attempts: 2 }]);
    await deliver([{ id: 'b-dup', body: job(zip, 'eink') }]);
    const twice = { light: await snapshot(zip, 'rgb_light'), eink: await snapshot(zip, 'eink'), run: await runView() };

    expect(twice.light.stable).toEqual(once.light.stable);
    expect(twice.eink.stable).toEqual(once.eink.stable);
    expect(twice.run).toEqual(once.run);
    // The write times are the fields that do change: the image was written again.
    expect(Date.parse(twice.light.generatedAt)).toBeGreaterThan(Date.parse(once.light.generatedAt));
    expect(await kvKeys()).toEqual(kvBefore);
  });

  it('the same job twice in one batch (processed concurrently) stores what one delivery stores', async () => {
    const zip = '75002';
    await deliver([{ id: 'single', body: job(zip, 'bw', { run_id: undefined }) }]);
    const once = await snapshot(zip, 'bw');
    await env.WEATHER_IMAGES.delete(`${zip}/bw.bmp`);
    await deliver([
      { id: 'x', body: job(zip, 'bw', { run_id: undefined }) },
      { id: 'x-again', body: job(zip, 'bw', { run_id: undefined }) },
    ]);
    expect((await snapshot(zip, 'bw')).stable).toEqual(once.stable);
  });

  it('a replay in another trace changes only the write time and the trace id', async () => {
    const zip = '75003';
    await deliver([{ id: 'orig', body: job(zip, 'rgb_light', { run_id: undefined }) }]);
    const once = await snapshot(zip, 'rgb_light');
    const replayTrace = 'aaaabbbbccccddddeeeeffff00001111';
    await deliver([{ id: 'replay', body: job(zip, 'rgb_light', { run_id: undefined, _otel: carrier(replayTrace) }) }]);
    const again = await snapshot(zip, 'rgb_light');
    const { 'trace-id': before, ...restBefore } = once.stable.customMetadata;
    const { 'trace-id': after, ...restAfter } = again.stable.customMetadata;
    expect([before, after]).toEqual([TRACE_ID, replayTrace]);
    expect({ ...again.stable, customMetadata: restAfter }).toEqual({ ...once.stable, customMetadata: restBefore });
  });
});

const OLDER = '2026-06-21T12:00:00.000Z';
const NEWER = '2026-06-21T13:00:00.000Z';

/**
 * The real bucket, except that the first put of `key` first runs `meanwhile` to the end: another
 * writer that gets in between this writer's look (head) and its write. A fixed interleaving, not a
 * timing bet.
 */
function interruptedBucket(real: R2Bucket, key: string, meanwhile: () => Promise<void>): R2Bucket {
  let interrupted = false;
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'put') {
        return async (...args: Parameters<R2Bucket['put']>) => {
          if (args[0] === key && !interrupted) {
            interrupted = true;
            await meanwhile();
          }
          return target.put(...args);
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('an older weather run never overwrites images from a newer one', () => {
  it('keeps the newer bytes and metadata when the older run is delivered last', async () => {
    const zip = '75004';
    // Newer weather (13:00) first, drawn from one fixture, then a late job of older weather (12:00,
    // another fixture: a different picture): the image must not go back in time.
    await deliver([{ id: 'newer', body: job(zip, 'rgb_light', { run_id: undefined, fetched_at: NEWER }, 0) }]);
    const newer = await snapshot(zip, 'rgb_light');
    await deliver([{ id: 'older', body: job(zip, 'rgb_light', { run_id: undefined, fetched_at: OLDER }, 1) }]);
    const after = await snapshot(zip, 'rgb_light');
    expect(after).toEqual(newer); // not even the write time changed: nothing was written
    expect(after.stable.customMetadata['weather-fetched-at']).toBe(NEWER);
  });

  it('does replace an image when the weather is newer (so the test above can fail)', async () => {
    const zip = '75005';
    await deliver([{ id: 'older', body: job(zip, 'rgb_light', { run_id: undefined, fetched_at: OLDER }, 1) }]);
    const older = await snapshot(zip, 'rgb_light');
    await deliver([{ id: 'newer', body: job(zip, 'rgb_light', { run_id: undefined, fetched_at: NEWER }, 0) }]);
    const newer = await snapshot(zip, 'rgb_light');
    expect(newer.stable.bytes).not.toEqual(older.stable.bytes);
    expect(newer.stable.customMetadata['weather-fetched-at']).toBe(NEWER);
  });

  // The race: two stores of one image at once. The legacy `weather:{zip}` key is seeded too, so the
  // same test runs against a generator that read its weather from KV.
  it("the race: a newer run storing between the older run's look and its write still wins", async () => {
    const zip = '75006';
    await env.CONFIG.put(`weather:${zip}`, JSON.stringify(forecastFor(zip, OLDER, 1)));
    const newerWrites = async () => {
      await env.CONFIG.put(`weather:${zip}`, JSON.stringify(forecastFor(zip, NEWER, 0)));
      await deliver([{ id: 'newer', body: job(zip, 'rgb_dark', { run_id: undefined, fetched_at: NEWER }, 0) }]);
    };
    await deliver(
      [{ id: 'older', body: job(zip, 'rgb_dark', { run_id: undefined, fetched_at: OLDER }, 1) }],
      interruptedBucket(env.WEATHER_IMAGES, `${zip}/rgb_dark.png`, newerWrites),
    );
    expect((await snapshot(zip, 'rgb_dark')).stable.customMetadata['weather-fetched-at']).toBe(NEWER);
  });

  it("the race the other way: an older run storing between the newer run's look and its write loses", async () => {
    const zip = '75007';
    await env.CONFIG.put(`weather:${zip}`, JSON.stringify(forecastFor(zip, NEWER, 0)));
    const olderWrites = async () => {
      await env.CONFIG.put(`weather:${zip}`, JSON.stringify(forecastFor(zip, OLDER, 1)));
      await deliver([{ id: 'older', body: job(zip, 'rgb_dark', { run_id: undefined, fetched_at: OLDER }, 1) }]);
      await env.CONFIG.put(`weather:${zip}`, JSON.stringify(forecastFor(zip, NEWER, 0)));
    };
    await deliver(
      [{ id: 'newer', body: job(zip, 'rgb_dark', { run_id: undefined, fetched_at: NEWER }, 0) }],
      interruptedBucket(env.WEATHER_IMAGES, `${zip}/rgb_dark.png`, olderWrites),
    );
    expect((await snapshot(zip, 'rgb_dark')).stable.customMetadata['weather-fetched-at']).toBe(NEWER);
  });
});
