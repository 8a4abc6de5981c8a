import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/fetcher';
import { recordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import { QUEUE_FIELDS } from '../../support/malformed-bodies';
import { defineMalformedSuite, type SpanView, outcomeOf } from '../../support/malformed-suite';
import { stubPlaceForZip } from '../../support/weather-stub';
import type { Env } from '../../../src/env';

/**
 * Malformed fetch-jobs bodies through the real fetcher worker in workerd (real consumer, real
 * queue bindings behind recordingQueue): each is acked and dead-lettered with its reason, and the
 * valid neighbours of its batch still fetch weather and announce it.
 */
const RUN_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${RUN_ID}-b7ad6b7169203331-01`;

function fetchJob(zip: string, extra: Record<string, unknown> = {}) {
  return { schema_version: 1, zip_code: zip, scheduled_at: '2026-06-21T12:00:00.000Z', trigger: 'admin', run_id: RUN_ID, ...extra };
}

const spans = (): SpanView[] => memoryExporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes }));

/** A recording weather-ready queue whose send fails for one ZIP, the way a queue outage would. */
function failingFor(real: Queue, zip: string): Queue & { sent: unknown[] } {
  const recorder = recordingQueue(real);
  return {
    sent: recorder.sent,
    send: async (body: { zip_code?: string }, options?: QueueSendOptions) => {
      if (body.zip_code === zip) throw new Error('Queue send failed: internal error');
      return recorder.send(body, options);
    },
    sendBatch: (messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) => recorder.sendBatch(messages, options),
  } as unknown as Queue & { sent: unknown[] };
}

async function deliver(
  messages: Array<{ id: string; body: unknown; attempts?: number }>,
  weatherReadyQueue: (real: Queue) => Queue & { sent: unknown[] } = recordingQueue,
) {
  const weatherReady = weatherReadyQueue(env.WEATHER_READY);
  const deadLetters = recordingQueue(env.DEAD_LETTERS);
  const testEnv = { ...env, WEATHER_READY: weatherReady, DEAD_LETTERS: deadLetters } as unknown as Env;
  const result = await deliverBatch(worker, 'fetch-jobs', messages, testEnv);
  return {
    explicitAcks: result.explicitAcks,
    retryMessages: result.retryMessages as Array<{ msgId: string }>,
    retryDelays: result.retryDelays,
    deadLetters: deadLetters.sent as Array<Record<string, unknown>>,
    onward: weatherReady.sent as Array<Record<string, unknown>>,
  };
}

const NEIGHBOUR_ZIPS = ['78729', '99701', '96813', '10001', '94103'];

defineMalformedSuite({
  queue: 'fetch-jobs',
  valid: fetchJob('78729'),
  fields: QUEUE_FIELDS['fetch-jobs'],
  deliver,
  neighbour: (n) => fetchJob(NEIGHBOUR_ZIPS[n] ?? String(73000 + n), { _otel: { traceparent: TRACEPARENT } }),
  expectProcessed(body, delivered) {
    // Exactly one weather-ready: the neighbour's. No malformed body got that far.
    expect(delivered.onward.map((m) => m.zip_code)).toEqual([body.zip_code]);
    expect(delivered.onward[0]).toMatchObject({ schema_version: 1, run_id: RUN_ID });
    expect(Object.keys(delivered.onward[0]).sort()).toEqual([
      '_otel',
      'fetched_at',
      'forecast',
      'lat',
      'lon',
      'run_id',
      'schema_version',
      'trigger',
      'zip_code',
    ]);
  },
  spans,
});

describe('fetch-jobs: a mixed batch of 10, every message its own outcome', () => {
  it('acks, retries or dead-letters each message on its own', async () => {
    memoryExporter.reset();
    // Geocodes cached, so only the weather API's forecast is asked (and the unknown ZIP's geocode).
    for (const zip of ['78729', '99701', '96813', '10001', '94103', '73001']) {
      const place = stubPlaceForZip(zip)!;
      await env.CONFIG.put(`geo:${zip}`, JSON.stringify({ zip, lat: place.lat, lon: place.lon, name: place.name }));
    }
    const carrier = { _otel: { traceparent: TRACEPARENT } };
    const messages = [
      { id: 'valid-1', body: fetchJob('78729', carrier) },
      { id: 'valid-2', body: fetchJob('99701', carrier) },
      { id: 'valid-3', body: fetchJob('96813') },
      { id: 'bad-carrier', body: fetchJob('10001', { _otel: { traceparent: 'not-a-traceparent' } }) },
      { id: 'unknown-zip', body: fetchJob('00000', carrier) },
      { id: 'send-fails', body: fetchJob('73001', carrier) },
      { id: 'send-fails-last', body: fetchJob('73001', carrier), attempts: 4 },
      { id: 'not-object', body: 'fetch 78729 please' },
      { id: 'no-scheduled-at', body: { schema_version: 1, zip_code: '94103', trigger: 'cron' } },
      { id: 'huge-zip', body: fetchJob('7'.repeat(100 * 1024)) },
    ];
    const delivered = await deliver(messages, (real) => failingFor(real, '73001'));

    expect(Object.fromEntries(messages.map((m) => [m.id, outcomeOf(delivered, m.id)]))).toEqual({
      'valid-1': 'processed',
      'valid-2': 'processed',
      'valid-3': 'processed',
      'bad-carrier': 'processed',
      'unknown-zip': 'dead letter: UnknownZipError',
      'send-fails': 'retry after ≥1 s',
      'send-fails-last': 'dead letter: _OTHER',
      'not-object': 'dead letter: invalid_message',
      'no-scheduled-at': 'dead letter: invalid_message',
      'huge-zip': 'dead letter: invalid_message',
    });
    expect(delivered.onward.map((m) => m.zip_code).sort()).toEqual(['10001', '78729', '96813', '99701']);
    const reasons = Object.fromEntries(delivered.deadLetters.map((d) => [String(d.message_id), String(d.reason)]));
    expect(reasons['send-fails-last']).toMatch(/^gave up after 4 attempts: Queue send failed/);
    expect(reasons['no-scheduled-at']).toContain('scheduled_at: ');
    expect(reasons['huge-zip']).toContain('zip_code: ');
    // Each message's consumer span tells the same story.
    const outcomes = Object.fromEntries(
      spans()
        .filter((s) => s.name === 'process fetch-jobs')
        .map((s) => [s.attributes['messaging.message.id'], s.attributes['messaging.cloudflare_queues.outcome']]),
    );
    expect(outcomes).toEqual({
      'valid-1': 'ack',
      'valid-2': 'ack',
      'valid-3': 'ack',
      'bad-carrier': 'ack',
      'unknown-zip': 'dead_letter',
      'send-fails': 'retry',
      'send-fails-last': 'dead_letter',
      'not-object': 'dead_letter',
      'no-scheduled-at': 'dead_letter',
      'huge-zip': 'dead_letter',
    });
  });
});

/**
 * Cloudflare Queues refuse a message over 128 KB; the local pool does not enforce it, so this
 * dead-letter queue does (by JSON size, what the consumer sends).
 */
function limitedQueue(real: Queue) {
  const recorder = recordingQueue(real);
  return {
    sent: recorder.sent,
    async send(body: unknown, options?: QueueSendOptions) {
      const bytes = new TextEncoder().encode(JSON.stringify(body)).byteLength;
      if (bytes > 128_000) throw new Error(`Queue send failed: message length of ${bytes} bytes exceeds limit of 128000`);
      return recorder.send(body, options);
    },
  };
}

describe('fetch-jobs: a body just under the 128 KB message limit', () => {
  it('is still dead-lettered with its reason: the dead letter fits in a message too', async () => {
    // 127,700 bytes of zip_code: the body fits in a queue message, a dead letter carrying all of it would not.
    const body = fetchJob('7'.repeat(127_700));
    expect(new TextEncoder().encode(JSON.stringify(body)).byteLength).toBeLessThan(128_000);
    const deadLetters = limitedQueue(env.DEAD_LETTERS);
    const testEnv = { ...env, WEATHER_READY: recordingQueue(env.WEATHER_READY), DEAD_LETTERS: deadLetters } as unknown as Env;
    const delivered = await deliverBatch(worker, 'fetch-jobs', [{ id: 'near-limit', body }], testEnv);
    expect(delivered.retryMessages).toEqual([]);
    expect(delivered.explicitAcks).toEqual(['near-limit']);
    expect(deadLetters.sent).toHaveLength(1);
    const letter = deadLetters.sent[0] as Record<string, unknown>;
    expect(letter).toMatchObject({ message_id: 'near-limit', error_type: 'invalid_message' });
    expect(String(letter.reason)).toContain('zip_code: ');
    // What the admin still sees of the body: its shape, how the long field began and how long it was; no replay.
    expect(letter).toMatchObject({ replayable: false, body_notes: ['string at $.zip_code cut to 1000 of 127700 chars'] });
    expect(letter.body).toMatchObject({ schema_version: 1, trigger: 'admin', zip_code: `${'7'.repeat(1000)}…[127700 chars]` });
  });

  it('keeps a body that fits as it is', async () => {
    const body = fetchJob('7'.repeat(50_000));
    const deadLetters = limitedQueue(env.DEAD_LETTERS);
    const testEnv = { ...env, WEATHER_READY: recordingQueue(env.WEATHER_READY), DEAD_LETTERS: deadLetters } as unknown as Env;
    await deliverBatch(worker, 'fetch-jobs', [{ id: 'fits', body }], testEnv);
    expect(deadLetters.sent[0] as Record<string, unknown>).toMatchObject({ body, replayable: true });
  });
});
