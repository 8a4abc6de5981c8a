import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/fetcher';
import { recordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import type { Env } from '../../../src/env';

/**
 * Each delivery of a message is one `process` span with its attempt, its wait in the queue and its
 * outcome; a redelivered message's spans are siblings under the same producer span, since the
 * runtime redelivers the same body (the same carrier).
 */
const TRACE_ID = '5c1d9f0e3a7b4c2d8e6f1a2b3c4d5e6f';
const PARENT = '1a2b3c4d5e6f7a8b';
const ATTEMPTS = 'messaging.cloudflare_queues.message.attempts';
const QUEUE_TIME = 'messaging.cloudflare_queues.message.queue_time_ms';
const OUTCOME = 'messaging.cloudflare_queues.outcome';

const job = (zip: string) => ({
  schema_version: 1,
  zip_code: zip,
  scheduled_at: '2026-06-21T12:00:00.000Z',
  trigger: 'admin',
  _otel: { traceparent: `00-${TRACE_ID}-${PARENT}-01` },
});

async function setFault(fault: unknown) {
  await fetch(`${env.OPEN_METEO_FORECAST_URL as string}/__stub/fault`, {
    method: 'POST',
    body: JSON.stringify(fault),
    headers: { 'content-type': 'application/json' },
  });
}

/** One delivery of message `m-redelivered`, as the runtime makes it: same id, same body, same send time. */
async function deliver(body: unknown, attempts: number, sentAt: Date) {
  const testEnv = { ...env, WEATHER_READY: recordingQueue(env.WEATHER_READY), DEAD_LETTERS: recordingQueue(env.DEAD_LETTERS) } as unknown as Env;
  return deliverBatch(worker, 'fetch-jobs', [{ id: 'm-redelivered', body, attempts, timestamp: sentAt }], testEnv);
}

const processSpans = () =>
  memoryExporter
    .getFinishedSpans()
    .filter((s) => s.name === 'process fetch-jobs')
    .sort((a, b) => Number(a.attributes[ATTEMPTS]) - Number(b.attributes[ATTEMPTS]));

describe('process spans of a redelivered message', () => {
  beforeEach(() => memoryExporter.reset());
  afterEach(() => setFault(null));

  it('one span per attempt, in the same trace under the same producer span, each with its outcome and its wait', async () => {
    await env.CONFIG.delete('geo:96813');
    const body = job('96813');
    // Sent 45 s before the first delivery: the wait counts from the send, across redeliveries.
    const sentAt = new Date(Date.now() - 45_000);
    await setFault({ kind: '500' });
    expect((await deliver(body, 1, sentAt)).retryMessages).toHaveLength(1);
    expect((await deliver(body, 2, sentAt)).retryMessages).toHaveLength(1);
    await setFault(null);
    expect((await deliver(body, 3, sentAt)).explicitAcks).toEqual(['m-redelivered']);

    const spans = processSpans();
    expect(spans.map((s) => [s.attributes[ATTEMPTS], s.attributes[OUTCOME], s.status.code])).toEqual([
      [1, 'retry', 2],
      [2, 'retry', 2],
      [3, 'ack', 0],
    ]);
    for (const span of spans) {
      expect(span.spanContext().traceId).toBe(TRACE_ID);
      expect(span.parentSpanContext?.spanId).toBe(PARENT);
      expect(span.attributes['messaging.message.id']).toBe('m-redelivered');
      expect(span.attributes[QUEUE_TIME]).toBeGreaterThanOrEqual(45_000);
      // Whole milliseconds, and no more than the test itself could have taken.
      expect(Number.isInteger(span.attributes[QUEUE_TIME])).toBe(true);
      expect(span.attributes[QUEUE_TIME]).toBeLessThan(45_000 + 120_000);
    }
    // Later attempts waited at least as long as earlier ones: the send time does not move.
    const waits = spans.map((s) => Number(s.attributes[QUEUE_TIME]));
    expect([...waits].sort((a, b) => a - b)).toEqual(waits);
    // Three distinct spans, not one span ended three times.
    expect(new Set(spans.map((s) => s.spanContext().spanId)).size).toBe(3);
  });

  it('the last attempt that gives up is its own span with outcome dead_letter', async () => {
    await env.CONFIG.delete('geo:10001');
    await setFault({ kind: '500' });
    await deliver(job('10001'), 4, new Date());
    const [last] = processSpans();
    expect(last.attributes).toMatchObject({ [ATTEMPTS]: 4, [OUTCOME]: 'dead_letter', 'error.type': 'WeatherApiError' });
    expect(last.attributes[QUEUE_TIME]).toBeGreaterThanOrEqual(0);
  });

  it('a send time ahead of the consumer clock (clock skew) counts as no wait, never a negative one', async () => {
    await deliver(job('78729'), 1, new Date(Date.now() + 60_000));
    const [span] = processSpans();
    expect(span.attributes[QUEUE_TIME]).toBe(0);
  });
});
