import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/generator';
import { recordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import { landscapeJob } from './landscape-job';
import type { Env } from '../../../src/env';

/**
 * R2 failing: the local stack cannot make R2 fail, so the generator's real bucket is wrapped with
 * one whose `put` throws the way R2 does on an internal error. A failed put is transient: the job
 * is retried with a backoff delay (never dead-lettered before the last attempt), and the next
 * delivery stores the image. Its metadata is the object's own custom metadata, so image and
 * metadata are written or not together (no second write that could fail on its own).
 */
const TRACE_ID = '7d2c4a9b0e1f4a3c8b5d6e7f8091a2b3';
const TRACEPARENT = `00-${TRACE_ID}-1a2b3c4d5e6f7081-01`;
const R2_INTERNAL_ERROR = 'put: We encountered an internal error. Please try again. (10001)';

function job(zip: string, format: string, fetchedAt: string, fixture = 0) {
  return { ...landscapeJob(zip, format, fetchedAt, fixture), _otel: { traceparent: TRACEPARENT } };
}

/** The real bucket, except that `put` fails (as R2 does on an internal error) while `failing()` says so. */
function flakyBucket(real: R2Bucket, failing: () => boolean) {
  let attempts = 0;
  const bucket = new Proxy(real, {
    get(target, prop) {
      if (prop === 'put') {
        return async (...args: Parameters<R2Bucket['put']>) => {
          attempts++;
          if (failing()) throw new Error(R2_INTERNAL_ERROR);
          return target.put(...args);
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { bucket, attempts: () => attempts };
}

async function deliver(body: unknown, attempts: number, bucket: R2Bucket) {
  const deadLetters = recordingQueue(env.DEAD_LETTERS);
  const testEnv = { ...env, WEATHER_IMAGES: bucket, DEAD_LETTERS: deadLetters } as unknown as Env;
  const settled = await deliverBatch(worker, 'landscape-jobs', [{ id: 'job', body, attempts }], testEnv);
  const result = {
    explicitAcks: settled.explicitAcks,
    retryMessages: settled.retryMessages as Array<{ msgId: string }>,
    retryDelays: settled.retryDelays,
  };
  return { result, deadLetters };
}

const processSpan = () => memoryExporter.getFinishedSpans().find((s) => s.name === 'process landscape-jobs');

describe('R2 put failing', () => {
  beforeEach(() => memoryExporter.reset());

  it('retries the job with a backoff delay, then stores the image with its metadata on the next delivery', async () => {
    const zip = '74001';
    const fetchedAt = '2026-06-21T12:00:00.000Z';
    let failing = true;
    const flaky = flakyBucket(env.WEATHER_IMAGES, () => failing);

    const first = await deliver(job(zip, 'rgb_light', fetchedAt), 1, flaky.bucket);
    expect(flaky.attempts()).toBe(1);
    expect(first.result.retryMessages.map((r) => r.msgId)).toEqual(['job']);
    expect(first.result.explicitAcks).toEqual([]);
    // Full jitter on a 2 s base for the first failure: 1–2 s, never 0 (an immediate hammering retry).
    const delay = first.result.retryDelays.get('job')!;
    expect(delay).toBeGreaterThanOrEqual(1);
    expect(delay).toBeLessThanOrEqual(2);
    expect(first.deadLetters.sent).toEqual([]);
    expect(await env.WEATHER_IMAGES.head(`${zip}/rgb_light.png`)).toBeNull();
    expect(processSpan()?.attributes).toMatchObject({
      'messaging.cloudflare_queues.outcome': 'retry',
      'messaging.cloudflare_queues.retry.delay_seconds': delay,
      'error.type': '_OTHER',
    });
    const r2Span = memoryExporter.getFinishedSpans().find((s) => s.name === 'put {zip}/rgb_light.png');
    expect(r2Span?.status).toMatchObject({ code: 2, message: R2_INTERNAL_ERROR });

    failing = false;
    memoryExporter.reset();
    const second = await deliver(job(zip, 'rgb_light', fetchedAt), 2, flaky.bucket);
    expect(second.result.explicitAcks).toEqual(['job']);
    expect(second.result.retryMessages).toEqual([]);
    expect(second.deadLetters.sent).toEqual([]);
    const object = await env.WEATHER_IMAGES.get(`${zip}/rgb_light.png`);
    expect(object?.customMetadata).toMatchObject({ zip, 'weather-fetched-at': fetchedAt, size: String(object!.size), 'trace-id': TRACE_ID });
    await object!.body.cancel();
    expect(processSpan()?.attributes['messaging.cloudflare_queues.outcome']).toBe('ack');
  });

  it('backs off longer on each failed delivery and dead-letters only after the 4th', async () => {
    const zip = '74002';
    const fetchedAt = '2026-06-21T12:00:00.000Z';
    const flaky = flakyBucket(env.WEATHER_IMAGES, () => true);
    const delays: number[] = [];
    for (const attempts of [1, 2, 3]) {
      const { result, deadLetters } = await deliver(job(zip, 'bw', fetchedAt), attempts, flaky.bucket);
      expect(result.retryMessages.map((r) => r.msgId)).toEqual(['job']);
      expect(deadLetters.sent).toEqual([]);
      delays.push(result.retryDelays.get('job')!);
    }
    // Ceilings 2, 4, 8 s with full jitter in the upper half: [1,2], [2,4], [4,8].
    expect(delays[0]).toBeGreaterThanOrEqual(1);
    expect(delays[0]).toBeLessThanOrEqual(2);
    expect(delays[1]).toBeGreaterThanOrEqual(2);
    expect(delays[1]).toBeLessThanOrEqual(4);
    expect(delays[2]).toBeGreaterThanOrEqual(4);
    expect(delays[2]).toBeLessThanOrEqual(8);
    const last = await deliver(job(zip, 'bw', fetchedAt), 4, flaky.bucket);
    expect(last.result.retryMessages).toEqual([]);
    expect(last.result.explicitAcks).toEqual(['job']);
    expect(last.deadLetters.sent).toHaveLength(1);
    expect(last.deadLetters.sent[0]).toMatchObject({ queue: 'landscape-jobs', attempts: 4, reason: `gave up after 4 attempts: ${R2_INTERNAL_ERROR}` });
    expect(await env.WEATHER_IMAGES.head(`${zip}/bw.bmp`)).toBeNull();
  });

  it('leaves the previous image and its metadata untouched when the put of a newer one fails', async () => {
    const zip = '74003';
    const ok = flakyBucket(env.WEATHER_IMAGES, () => false);
    await deliver(job(zip, 'rgb_dark', '2026-06-21T12:00:00.000Z'), 1, ok.bucket);
    const before = await env.WEATHER_IMAGES.get(`${zip}/rgb_dark.png`);
    const beforeBytes = new Uint8Array(await before!.arrayBuffer());
    const beforeMeta = before!.customMetadata;

    // Newer weather (another fixture, so the picture differs), but R2 fails.
    const failing = flakyBucket(env.WEATHER_IMAGES, () => true);
    const { result } = await deliver(job(zip, 'rgb_dark', '2026-06-21T13:00:00.000Z', 1), 1, failing.bucket);
    expect(result.retryMessages.map((r) => r.msgId)).toEqual(['job']);
    const after = await env.WEATHER_IMAGES.get(`${zip}/rgb_dark.png`);
    expect(new Uint8Array(await after!.arrayBuffer())).toEqual(beforeBytes);
    expect(after!.customMetadata).toEqual(beforeMeta);

    // The retry succeeds: now the newer picture and its metadata replace the old ones together.
    await deliver(job(zip, 'rgb_dark', '2026-06-21T13:00:00.000Z', 1), 2, ok.bucket);
    const newer = await env.WEATHER_IMAGES.get(`${zip}/rgb_dark.png`);
    expect(new Uint8Array(await newer!.arrayBuffer())).not.toEqual(beforeBytes);
    expect(newer!.customMetadata).toMatchObject({ 'weather-fetched-at': '2026-06-21T13:00:00.000Z' });
  });
});
