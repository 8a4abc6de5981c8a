import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import '../memory-spans';
import worker from '../../../src/workers/fetcher';
import { clockPast } from '../clock';
import { recordingQueue } from '../recording-queue';
import { deliverBatch, type TestMessage } from '../queue-batch';
import { getRun } from '../../../src/storage/run-log';
import type { Env } from '../../../src/env';

/**
 * Queues deliver at least once: the same fetch job may arrive twice. The stored state must come
 * out the same. What may legitimately differ after a duplicate (decided here, nothing else may):
 * - in `weather:{zip}`: `source.fetchedAt` and `now`, the instant of the fetch (the picture's left
 *   edge); the weather values themselves come from the same API answer for the same hour;
 * - the weather-ready announcement is sent again (at-least-once: the dispatcher and generator take
 *   duplicates, see test/workers/generator/idempotency.test.ts), identical but for `fetched_at`;
 * - the run's event log gains a `weather_fetched` event, the run view does not change but for
 *   `weather_fetched_at`.
 * `geo:{zip}` and the set of other KV keys do not change at all.
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

async function nonRunKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.CONFIG.list({ cursor });
    keys.push(...page.keys.map((k) => k.name).filter((k) => !k.startsWith('run:')));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return keys.sort();
}

async function snapshot(zip: string, announced: Array<Record<string, unknown>>) {
  const weather = (await env.CONFIG.get(`weather:${zip}`, 'json')) as Record<string, unknown> & { source: Record<string, unknown> };
  const { now, source, ...values } = weather;
  const { fetchedAt, ...sourceRest } = source;
  const view = (await getRun(env.CONFIG, RUN_ID))!;
  const { weather_fetched_at, events, ...viewRest } = view;
  return {
    stable: {
      weather: { ...values, source: sourceRest },
      geo: await env.CONFIG.get(`geo:${zip}`, 'json'),
      keys: await nonRunKeys(),
      announced: announced.map(({ fetched_at, _otel, ...rest }) => rest),
      run: viewRest,
    },
    changing: { now, fetchedAt, weather_fetched_at, events: events.length },
  };
}

describe('duplicate fetch jobs', () => {
  it('a redelivery of the same fetch job leaves the same weather, geocode, keys and run view', async () => {
    const zip = '96813';
    await env.CONFIG.delete(`geo:${zip}`);
    const first = await deliver([{ id: 'job', body: fetchJob(zip) }]);
    expect(first).toHaveLength(1);
    const once = await snapshot(zip, first);
    expect(once.stable.run).toMatchObject({ status: 'rendering' });

    await clockPast(String(once.changing.fetchedAt));
    const second = await deliver([{ id: 'job', body: fetchJob(zip), attempts: 2 }]);
    const twice = await snapshot(zip, second);
    expect(twice.stable).toEqual(once.stable);
    // What does change is the instant of the fetch, and the event log grew by one event.
    expect(Date.parse(String(twice.changing.fetchedAt))).toBeGreaterThan(Date.parse(String(once.changing.fetchedAt)));
    expect(twice.changing.events).toBe(once.changing.events + 1);
    expect(second[0].fetched_at).toBe(twice.changing.fetchedAt);
  });

  it('the same fetch job twice in one batch stores one weather record and announces it twice, identically', async () => {
    const zip = '10001';
    const announced = await deliver([
      { id: 'a', body: fetchJob(zip) },
      { id: 'a-dup', body: fetchJob(zip) },
    ]);
    expect(announced).toHaveLength(2);
    const [x, y] = announced.map(({ fetched_at, _otel, ...rest }) => rest);
    expect(y).toEqual(x);
    const weather = (await env.CONFIG.get(`weather:${zip}`, 'json')) as { source: { fetchedAt: string } };
    // The stored record is one of the two fetches, whole (not a mix of both).
    expect(announced.map((m) => m.fetched_at)).toContain(weather.source.fetchedAt);
  });
});
