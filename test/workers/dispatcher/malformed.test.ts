import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/dispatcher';
import { recordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import { QUEUE_FIELDS } from '../../support/malformed-bodies';
import { defineMalformedSuite, type SpanView, outcomeOf } from '../../support/malformed-suite';
import type { Env } from '../../../src/env';
import type { FormatName } from '../../../src/domain/formats';
import { addFormat } from '../../../src/storage/format-config';

/** Exactly these formats (plus rgb_light) for the ZIP, whatever an earlier test configured. */
async function configureFormats(zip: string, formats: FormatName[]): Promise<void> {
  for (const key of (await env.CONFIG.list({ prefix: `formats:${zip}` })).keys) await env.CONFIG.delete(key.name);
  for (const format of formats) await addFormat(env.CONFIG, zip, format);
}

/**
 * Malformed weather-ready bodies through the real dispatcher worker in workerd: each is acked and
 * dead-lettered with its reason; the valid neighbours of its batch still fan out to landscape jobs.
 */
const RUN_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${RUN_ID}-00f067aa0ba902b7-01`;

function weatherReady(zip: string, extra: Record<string, unknown> = {}) {
  return { schema_version: 1, zip_code: zip, lat: 30.45, lon: -97.79, fetched_at: '2026-06-21T12:00:00.000Z', run_id: RUN_ID, ...extra };
}

const spans = (): SpanView[] => memoryExporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes }));

/** A recording landscape-jobs queue that fails (like a queue outage) for jobs of one ZIP. */
function landscapeQueue(failZip?: string) {
  const recorder = recordingQueue(env.LANDSCAPE_JOBS);
  const fails = (bodies: unknown[]) => failZip !== undefined && bodies.some((b) => (b as { zip_code?: string }).zip_code === failZip);
  return {
    sent: recorder.sent,
    async send(body: unknown, options?: QueueSendOptions) {
      if (fails([body])) throw new Error('Queue sendBatch failed: internal error');
      return recorder.send(body, options);
    },
    async sendBatch(messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) {
      const list = [...messages];
      if (fails(list.map((m) => m.body))) throw new Error('Queue sendBatch failed: internal error');
      return recorder.sendBatch(list, options);
    },
  };
}

async function deliver(messages: Array<{ id: string; body: unknown; attempts?: number }>, failZip?: string) {
  const landscape = landscapeQueue(failZip);
  const deadLetters = recordingQueue(env.DEAD_LETTERS);
  const testEnv = { ...env, LANDSCAPE_JOBS: landscape, DEAD_LETTERS: deadLetters } as unknown as Env;
  const result = await deliverBatch(worker, 'weather-ready', messages, testEnv);
  return {
    explicitAcks: result.explicitAcks,
    retryMessages: result.retryMessages as Array<{ msgId: string }>,
    retryDelays: result.retryDelays,
    deadLetters: deadLetters.sent as Array<Record<string, unknown>>,
    onward: landscape.sent as Array<Record<string, unknown>>,
  };
}

defineMalformedSuite({
  queue: 'weather-ready',
  valid: weatherReady('78729'),
  fields: QUEUE_FIELDS['weather-ready'],
  deliver,
  neighbour: (n) => weatherReady(String(73100 + n), { _otel: { traceparent: TRACEPARENT } }),
  expectProcessed(body, delivered) {
    // Landscape jobs for the neighbour only (rgb_light at least), built from its validated fields.
    expect(delivered.onward.length).toBeGreaterThanOrEqual(1);
    for (const job of delivered.onward) {
      expect(job).toMatchObject({ schema_version: 1, zip_code: body.zip_code, lat: 30.45, lon: -97.79, fetched_at: body.fetched_at, run_id: RUN_ID });
      expect(Object.keys(job).sort()).toEqual(['_otel', 'enqueued_at', 'fetched_at', 'format_name', 'lat', 'lon', 'run_id', 'schema_version', 'zip_code']);
    }
  },
  spans,
});

describe('weather-ready: a mixed batch of 10, every message its own outcome', () => {
  it('acks, retries or dead-letters each message on its own', async () => {
    memoryExporter.reset();
    await configureFormats('73151', ['bw', 'eink']);
    const carrier = { _otel: { traceparent: TRACEPARENT } };
    const messages = [
      { id: 'valid-1', body: weatherReady('73150', carrier) },
      { id: 'valid-3-formats', body: weatherReady('73151', carrier) },
      { id: 'valid-no-run', body: weatherReady('73152', { run_id: undefined }) },
      { id: 'bad-carrier', body: weatherReady('73153', { _otel: { traceparent: 5 } }) },
      { id: 'send-fails', body: weatherReady('73154', carrier) },
      { id: 'send-fails-last', body: weatherReady('73154', carrier), attempts: 4 },
      { id: 'lat-91', body: weatherReady('73155', { lat: 91 }) },
      { id: 'array', body: [weatherReady('73156')] },
      { id: 'version-2', body: weatherReady('73157', { schema_version: 2 }) },
      { id: 'proto-only', body: JSON.parse('{"__proto__":{"schema_version":1,"zip_code":"73158","lat":1,"lon":1,"fetched_at":"2026-06-21T12:00:00.000Z"}}') },
    ];
    const delivered = await deliver(messages, '73154');

    expect(Object.fromEntries(messages.map((m) => [m.id, outcomeOf(delivered, m.id)]))).toEqual({
      'valid-1': 'processed',
      'valid-3-formats': 'processed',
      'valid-no-run': 'processed',
      'bad-carrier': 'processed',
      'send-fails': 'retry after ≥1 s',
      'send-fails-last': 'dead letter: _OTHER',
      'lat-91': 'dead letter: invalid_message',
      array: 'dead letter: invalid_message',
      'version-2': 'dead letter: invalid_message',
      'proto-only': 'dead letter: invalid_message',
    });
    const jobs = (delivered.onward as Array<{ zip_code: string; format_name: string }>).map((j) => `${j.zip_code}/${j.format_name}`).sort();
    expect(jobs).toEqual(['73150/rgb_light', '73151/bw', '73151/eink', '73151/rgb_light', '73152/rgb_light', '73153/rgb_light']);
    const reasons = Object.fromEntries(delivered.deadLetters.map((d) => [String(d.message_id), String(d.reason)]));
    expect(reasons['send-fails-last']).toMatch(/^gave up after 4 attempts: Queue sendBatch failed/);
    expect(reasons['lat-91']).toContain('lat: ');
    expect(reasons.array).toContain('(body): ');
    expect(reasons['version-2']).toContain('schema_version: ');
    expect(reasons['proto-only']).toContain('schema_version: ');
    const outcomes = Object.fromEntries(
      spans()
        .filter((s) => s.name === 'process weather-ready')
        .map((s) => [s.attributes['messaging.message.id'], s.attributes['messaging.cloudflare_queues.outcome']]),
    );
    expect(outcomes).toEqual({
      'valid-1': 'ack',
      'valid-3-formats': 'ack',
      'valid-no-run': 'ack',
      'bad-carrier': 'ack',
      'send-fails': 'retry',
      'send-fails-last': 'dead_letter',
      'lat-91': 'dead_letter',
      array: 'dead_letter',
      'version-2': 'dead_letter',
      'proto-only': 'dead_letter',
    });
  });
});
