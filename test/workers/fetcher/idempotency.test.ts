import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import '../memory-spans';
import worker from '../../../src/workers/fetcher';
import { clockPast } from '../clock';
import { recordingQueue } from '../recording-queue';
import { deliverBatch, type TestMessage } from '../queue-batch';
import type { Env } from '../../../src/env';

/**
 * Queues deliver at least once: the same fetch job may arrive twice. The stored state must come
 * out the same. What may legitimately differ after a duplicate (decided here, nothing else may):
 * - the weather-ready announcement is sent again (at-least-once: the dispatcher and generator take
 *   duplicates, see test/workers/generator/idempotency.test.ts), identical but for `fetched_at` and,
 *   in its forecast, `source.fetchedAt` and `now`, the instant of the fetch (the picture's left
 *   edge); the weather values themselves come from the same API answer for the same hour.
 * `geo:{zip}` and the set of KV keys do not change at all: the fetcher stores no weather and
 * writes no run record.
 *
 * (A duplicate that straddles a 15-minute boundary of the weather API's `current` block would
 * legitimately see newer weather; the two deliveries here are milliseconds apart.)
 */
const RUN_ID = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const TRACEPARENT = `00-${RUN_ID}-00f067aa0ba902b7-01`;

function fetchJob(zip: string) {
  return { schema_version: 1, zip_code: zip, scheduled_at: '2026-06-21T12:00:00.000Z', trigger: 'admin', run_id: RUN_ID, _otel: { traceparent: TRACEPARENT } };
}

async function deliver(messages: TestMessage[]) {
  const weatherReady = recordingQueue(env.WEATHER_READY);
  const deadLetters = recordingQueue(env.DEAD_LETTERS);
  const testEnv = { ...env, WEATHER_READY: weatherReady, DEAD_LETTERS: deadLetters } as unknown as Env;
  const result = await deliverBatch(worker, 'fetch-jobs', messages, testEnv);
  expect(deadLetters.sent).toEqual([]);
  expect(result.retryMessages).toEqual([]);
  expect(result.explicitAcks.sort()).toEqual(messages.map((m, i) => m.id ?? `m${i}`).sort());
  return weatherReady.sent as Array<Record<string, unknown>>;
}

async function allKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.CONFIG.list({ cursor });
    keys.push(...page.keys.map((k) => k.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return keys.sort();
}

type Announcement = Record<string, unknown> & { forecast: Record<string, unknown> & { source: Record<string, unknown> } };

/** An announcement without the fields that name the instant of the fetch. */
function stablePart(message: Record<string, unknown>) {
  const { fetched_at, _otel, forecast, ...rest } = message as Announcement;
  const { now, source, ...values } = forecast;
  const { fetchedAt, ...sourceRest } = source;
  return { ...rest, forecast: { ...values, source: sourceRest } };
}

async function snapshot(zip: string, announced: Array<Record<string, unknown>>) {
  return {
    stable: { geo: await env.CONFIG.get(`geo:${zip}`, 'json'), keys: await allKeys(), announced: announced.map(stablePart) },
    fetchedAt: String(announced[0]?.fetched_at),
  };
}

describe('duplicate fetch jobs', () => {
  it('a redelivery of the same fetch job leaves the same geocode and keys, and announces the same weather', async () => {
    const zip = '96813';
    await env.CONFIG.delete(`geo:${zip}`);
    const first = await deliver([{ id: 'job', body: fetchJob(zip) }]);
    expect(first).toHaveLength(1);
    const once = await snapshot(zip, first);
    expect(once.stable.keys).toContain(`geo:${zip}`);

    await clockPast(once.fetchedAt);
    const second = await deliver([{ id: 'job', body: fetchJob(zip), attempts: 2 }]);
    const twice = await snapshot(zip, second);
    expect(twice.stable).toEqual(once.stable);
    // What does change is the instant of the fetch.
    expect(Date.parse(twice.fetchedAt)).toBeGreaterThan(Date.parse(once.fetchedAt));
    expect((second[0] as Announcement).forecast.source.fetchedAt).toBe(twice.fetchedAt);
  });

  it('the same fetch job twice in one batch announces it twice, identically', async () => {
    const zip = '10001';
    const announced = await deliver([
      { id: 'a', body: fetchJob(zip) },
      { id: 'a-dup', body: fetchJob(zip) },
    ]);
    expect(announced).toHaveLength(2);
    const [x, y] = announced.map(stablePart);
    expect(y).toEqual(x);
    for (const m of announced as Announcement[]) expect(m.forecast.source.fetchedAt).toBe(m.fetched_at);
  });
});
