import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import '../memory-spans';
import worker from '../../../src/workers/generator';
import { clockPast } from '../clock';
import { recordingQueue } from '../recording-queue';
import { deliverBatch, type TestMessage } from '../queue-batch';
import { FIXTURES } from '../../fixtures/forecasts';
import { getRun } from '../../../src/storage/run-log';
import type { Env } from '../../../src/env';
import type { Forecast } from '../../../src/domain/forecast';

/**
 * Queues deliver at least once: the same landscape job may arrive twice (a redelivery after a lost
 * ack, a duplicate send, a dead letter replayed). The stored state must come out the same.
 *
 * What may legitimately differ after a duplicate (decided here, and nothing else may):
 * - `generatedAt` in the KV metadata and `generated-at` in the R2 custom metadata: when the write
 *   happened (the bytes, their etag and everything derived from the weather stay equal);
 * - `traceId` in the KV metadata, only when the duplicate ran in another trace (a replay);
 * - R2's own `uploaded` time and version id;
 * - the run's event log (`run:{run_id}:…`, append-only by design) gains events, but the run as the
 *   admin sees it (status, formats, one image per format) does not change.
 */
const TRACE_ID = '9f2e1d0c4b5a69788796a5b4c3d2e1f0';
const RUN_ID = TRACE_ID;
const carrier = (traceId = TRACE_ID) => ({ traceparent: `00-${traceId}-0123456789abcdef-01` });
const FETCHED_AT = '2026-06-21T12:00:00.000Z';

function forecastFor(zip: string, fetchedAt: string, fixture = 0): Forecast {
  const base = Object.values(FIXTURES)[fixture] as Forecast;
  return { ...base, location: { ...base.location, zip }, source: { ...base.source, fetchedAt } };
}

function job(zip: string, format: string, extra: Record<string, unknown> = {}) {
  return { schema_version: 1, zip_code: zip, format_name: format, lat: 30.45, lon: -97.79, fetched_at: FETCHED_AT, enqueued_at: FETCHED_AT, run_id: RUN_ID, _otel: carrier(), ...extra };
}

async function deliver(messages: TestMessage[]) {
  const deadLetters = recordingQueue(env.DEAD_LETTERS);
  const testEnv = { ...env, DEAD_LETTERS: deadLetters } as unknown as Env;
  const result = await deliverBatch(worker, 'landscape-jobs', messages, testEnv);
  expect(deadLetters.sent).toEqual([]);
  expect(result.retryMessages).toEqual([]);
  expect(result.explicitAcks.sort()).toEqual(messages.map((m, i) => m.id ?? `m${i}`).sort());
  return result;
}

const KEYS = { rgb_light: 'png', eink: 'bmp', bw: 'bmp' } as Record<string, string>;

/** The stored state of one image, with the fields that may change (see above) set aside. */
async function snapshot(zip: string, format: string) {
  const object = await env.WEATHER_IMAGES.get(`${zip}/${format}.${KEYS[format]}`);
  expect(object).not.toBeNull();
  const bytes = new Uint8Array(await object!.arrayBuffer());
  const { 'generated-at': generatedAtR2, ...customMetadata } = object!.customMetadata ?? {};
  const metadata = (await env.CONFIG.get(`metadata:${zip}:${format}`, 'json')) as Record<string, unknown>;
  const { generatedAt, ...stableMetadata } = metadata;
  return {
    stable: { bytes: [...bytes], size: object!.size, etag: object!.httpEtag, httpMetadata: object!.httpMetadata, customMetadata, metadata: stableMetadata },
    generatedAt: String(generatedAt),
    generatedAtR2: String(generatedAtR2),
  };
}

async function runView() {
  const view = await getRun(env.CONFIG, RUN_ID);
  expect(view).toBeDefined();
  return { status: view!.status, formats: view!.formats, images: view!.images.map((i) => `${i.format} ${i.bytes} ${i.url}`).sort(), errors: view!.errors };
}

describe('duplicate landscape jobs', () => {
  it('a redelivery of the same job leaves the same image, metadata and run view', async () => {
    const zip = '75001';
    await env.CONFIG.put(`weather:${zip}`, JSON.stringify(forecastFor(zip, FETCHED_AT)));
    await env.CONFIG.put(`run:${RUN_ID}:2026-06-21T12:00:00.000Z:jobs_dispatched::seed`, JSON.stringify({ type: 'jobs_dispatched', formats: ['rgb_light', 'eink'], at: '2026-06-21T12:00:00.000Z' }));
    await deliver([{ id: 'a', body: job(zip, 'rgb_light') }, { id: 'b', body: job(zip, 'eink') }]);
    const once = { light: await snapshot(zip, 'rgb_light'), eink: await snapshot(zip, 'eink'), run: await runView() };
    expect(once.run).toMatchObject({ status: 'done', images: [expect.stringMatching(/^eink /), expect.stringMatching(/^rgb_light /)] });

    await clockPast(once.light.generatedAt); // so that a changed timestamp would show
    await deliver([{ id: 'a', body: job(zip, 'rgb_light'), attempts: 2 }]);
    await deliver([{ id: 'b-dup', body: job(zip, 'eink') }]);
    const twice = { light: await snapshot(zip, 'rgb_light'), eink: await snapshot(zip, 'eink'), run: await runView() };

    expect(twice.light.stable).toEqual(once.light.stable);
    expect(twice.eink.stable).toEqual(once.eink.stable);
    expect(twice.run).toEqual(once.run);
    // The write times are the fields that do change: the image was written again.
    expect(Date.parse(twice.light.generatedAt)).toBeGreaterThan(Date.parse(once.light.generatedAt));
    expect(twice.light.generatedAtR2).toBe(twice.light.generatedAt);
  });

  it('the same job twice in one batch (processed concurrently) stores what one delivery stores', async () => {
    const zip = '75002';
    await env.CONFIG.put(`weather:${zip}`, JSON.stringify(forecastFor(zip, FETCHED_AT)));
    await deliver([{ id: 'single', body: job(zip, 'bw', { run_id: undefined }) }]);
    const once = await snapshot(zip, 'bw');
    await env.WEATHER_IMAGES.delete(`${zip}/bw.bmp`);
    await env.CONFIG.delete(`metadata:${zip}:bw`);
    await deliver([
      { id: 'x', body: job(zip, 'bw', { run_id: undefined }) },
      { id: 'x-again', body: job(zip, 'bw', { run_id: undefined }) },
    ]);
    expect((await snapshot(zip, 'bw')).stable).toEqual(once.stable);
  });

  it('a replay in another trace changes only the write time and the trace id', async () => {
    const zip = '75003';
    await env.CONFIG.put(`weather:${zip}`, JSON.stringify(forecastFor(zip, FETCHED_AT)));
    await deliver([{ id: 'orig', body: job(zip, 'rgb_light', { run_id: undefined }) }]);
    const once = await snapshot(zip, 'rgb_light');
    const replayTrace = 'aaaabbbbccccddddeeeeffff00001111';
    await deliver([{ id: 'replay', body: job(zip, 'rgb_light', { run_id: undefined, _otel: carrier(replayTrace) }) }]);
    const again = await snapshot(zip, 'rgb_light');
    const { traceId: before, ...restBefore } = once.stable.metadata;
    const { traceId: after, ...restAfter } = again.stable.metadata;
    expect([before, after]).toEqual([TRACE_ID, replayTrace]);
    expect({ ...again.stable, metadata: restAfter }).toEqual({ ...once.stable, metadata: restBefore });
  });
});

describe('an older weather run never overwrites images from a newer one', () => {
  it('keeps the newer bytes, R2 metadata and KV metadata when the older run is delivered last', async () => {
    const zip = '75004';
    // Newer weather (13:00) first, drawn from one fixture...
    await env.CONFIG.put(`weather:${zip}`, JSON.stringify(forecastFor(zip, '2026-06-21T13:00:00.000Z', 0)));
    await deliver([{ id: 'newer', body: job(zip, 'rgb_light', { run_id: undefined, fetched_at: '2026-06-21T13:00:00.000Z' }) }]);
    const newer = await snapshot(zip, 'rgb_light');
    // ...then a late fetch of older weather (12:00, another fixture: a different picture) lands in KV
    // and its landscape job arrives: the image must not go back in time.
    await env.CONFIG.put(`weather:${zip}`, JSON.stringify(forecastFor(zip, '2026-06-21T12:00:00.000Z', 1)));
    await deliver([{ id: 'older', body: job(zip, 'rgb_light', { run_id: undefined, fetched_at: '2026-06-21T12:00:00.000Z' }) }]);
    const after = await snapshot(zip, 'rgb_light');
    expect(after).toEqual(newer); // not even the write time changed: nothing was written
    expect(after.stable.customMetadata['weather-fetched-at']).toBe('2026-06-21T13:00:00.000Z');
  });

  it('does replace an image when the weather is newer (so the test above can fail)', async () => {
    const zip = '75005';
    await env.CONFIG.put(`weather:${zip}`, JSON.stringify(forecastFor(zip, '2026-06-21T12:00:00.000Z', 1)));
    await deliver([{ id: 'older', body: job(zip, 'rgb_light', { run_id: undefined }) }]);
    const older = await snapshot(zip, 'rgb_light');
    await env.CONFIG.put(`weather:${zip}`, JSON.stringify(forecastFor(zip, '2026-06-21T13:00:00.000Z', 0)));
    await deliver([{ id: 'newer', body: job(zip, 'rgb_light', { run_id: undefined }) }]);
    const newer = await snapshot(zip, 'rgb_light');
    expect(newer.stable.bytes).not.toEqual(older.stable.bytes);
    expect(newer.stable.customMetadata['weather-fetched-at']).toBe('2026-06-21T13:00:00.000Z');
  });
});
