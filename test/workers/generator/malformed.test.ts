import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/generator';
import { recordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import { forecastFor, landscapeJob } from './landscape-job';
import { QUEUE_FIELDS } from '../../support/malformed-bodies';
import { defineMalformedSuite, type SpanView, outcomeOf } from '../../support/malformed-suite';
import type { Env } from '../../../src/env';

/**
 * Malformed landscape-jobs bodies through the real generator worker in workerd: each is acked and
 * dead-lettered with its reason, and never reaches R2; the valid neighbours of its batch are rendered
 * and stored.
 */
const RUN_ID = '5b8aa5a2d2c872e8321cf37308d69df2';
const TRACEPARENT = `00-${RUN_ID}-051581bf3cb55c13-01`;

function job(zip: string, format = 'rgb_light', extra: Record<string, unknown> = {}) {
  return { ...landscapeJob(zip, format), run_id: RUN_ID, ...extra };
}

const spans = (): SpanView[] => memoryExporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes }));

/**
 * The real bucket, with every image put recorded (not the `{zip}/failure.json` a dead letter
 * leaves for its ZIP); `failKeys` puts throw the way R2 does on an internal error.
 */
function recordingBucket(real: R2Bucket, failKeys: string[] = []) {
  const puts: Array<{ key: string }> = [];
  const bucket = new Proxy(real, {
    get(target, prop) {
      if (prop === 'put') {
        return async (key: string, value: unknown, options?: R2PutOptions) => {
          if (failKeys.includes(key)) throw new Error('put: We encountered an internal error. Please try again. (10001)');
          const result = await target.put(key, value as ArrayBuffer, options);
          if (!key.endsWith('/failure.json')) puts.push({ key });
          return result;
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { bucket, puts };
}

async function deliver(messages: Array<{ id: string; body: unknown; attempts?: number }>, failKeys: string[] = []) {
  const { bucket, puts } = recordingBucket(env.WEATHER_IMAGES, failKeys);
  const deadLetters = recordingQueue(env.DEAD_LETTERS);
  const testEnv = { ...env, WEATHER_IMAGES: bucket, DEAD_LETTERS: deadLetters } as unknown as Env;
  const result = await deliverBatch(worker, 'landscape-jobs', messages, testEnv);
  return {
    explicitAcks: result.explicitAcks,
    retryMessages: result.retryMessages as Array<{ msgId: string }>,
    retryDelays: result.retryDelays,
    deadLetters: deadLetters.sent as Array<Record<string, unknown>>,
    onward: puts as Array<Record<string, unknown>>,
  };
}

const neighbourZip = (n: number) => String(73200 + n);

defineMalformedSuite({
  queue: 'landscape-jobs',
  valid: job('78729'),
  fields: QUEUE_FIELDS['landscape-jobs'],
  deliver,
  neighbour: (n) => job(neighbourZip(n), 'rgb_light', { _otel: { traceparent: TRACEPARENT } }),
  async expectProcessed(body, delivered) {
    // Only the neighbour's image was written to R2, and it is there with its metadata.
    const key = `${String(body.zip_code)}/rgb_light.png`;
    expect(delivered.onward).toEqual([{ key }]);
    const object = await env.WEATHER_IMAGES.head(key);
    expect(object?.customMetadata).toMatchObject({ zip: body.zip_code, 'run-id': RUN_ID });
  },
  spans,
});

describe('landscape-jobs: a mixed batch of 10, every message its own outcome', () => {
  it('acks, retries or dead-letters each message on its own', async () => {
    memoryExporter.reset();
    await env.CONFIG.delete('weather:73304');
    // 73303 already has an image drawn from newer weather than the job's: the job is skipped.
    const NEWER = '2026-06-21T13:00:00.000Z';
    await env.WEATHER_IMAGES.put('73303/bw.bmp', new Uint8Array([1]), {
      customMetadata: { zip: '73303', 'weather-fetched-at': NEWER, 'generated-at': NEWER, lat: '30.45', lon: '-97.79', size: '1' },
    });
    const carrier = { _otel: { traceparent: TRACEPARENT } };
    const messages = [
      { id: 'valid-light', body: job('73300', 'rgb_light', carrier) },
      { id: 'valid-eink', body: job('73300', 'eink', carrier) },
      { id: 'bad-carrier', body: job('73301', 'bwi', { _otel: { traceparent: '00-zz-zz-01' } }) },
      { id: 'put-fails', body: job('73302', 'rgb_dark', carrier) },
      { id: 'put-fails-last', body: job('73302', 'bw', carrier), attempts: 4 },
      { id: 'older-weather', body: job('73303', 'bw', carrier) },
      { id: 'weather-missing', body: job('73304', 'rgb_light', { ...carrier, forecast: undefined }) },
      { id: 'forecast-invalid', body: job('73300', 'bwi', { ...carrier, forecast: { ...forecastFor('73300'), hourly: [] } }) },
      { id: 'unknown-format', body: job('73300', 'sepia', carrier) },
      { id: 'number', body: 73300 },
    ];
    const delivered = await deliver(messages, ['73302/rgb_dark.png', '73302/bw.bmp']);

    expect(Object.fromEntries(messages.map((m) => [m.id, outcomeOf(delivered, m.id)]))).toEqual({
      'valid-light': 'processed',
      'valid-eink': 'processed',
      'bad-carrier': 'processed',
      'put-fails': 'retry after ≥1 s',
      'put-fails-last': 'dead letter: _OTHER',
      'older-weather': 'processed',
      'weather-missing': 'dead letter: weather_missing',
      'forecast-invalid': 'dead letter: invalid_message',
      'unknown-format': 'dead letter: invalid_message',
      number: 'dead letter: invalid_message',
    });
    expect(delivered.onward.map((p) => p.key).sort()).toEqual(['73300/eink.bmp', '73300/rgb_light.png', '73301/bwi.bmp']);
    expect((await env.WEATHER_IMAGES.head('73303/bw.bmp'))?.customMetadata?.['weather-fetched-at']).toBe(NEWER);
    const reasons = Object.fromEntries(delivered.deadLetters.map((d) => [String(d.message_id), String(d.reason)]));
    expect(reasons['put-fails-last']).toMatch(/^gave up after 4 attempts: put: We encountered an internal error/);
    expect(reasons['weather-missing']).toMatch(/no stored weather for ZIP 73304/);
    expect(reasons['forecast-invalid']).toContain('forecast.hourly: ');
    expect(reasons['unknown-format']).toContain('format_name: ');
    expect(reasons.number).toContain('(body): ');
    const outcomes = Object.fromEntries(
      spans()
        .filter((s) => s.name === 'process landscape-jobs')
        .map((s) => [s.attributes['messaging.message.id'], s.attributes['messaging.cloudflare_queues.outcome']]),
    );
    expect(outcomes).toEqual({
      'valid-light': 'ack',
      'valid-eink': 'ack',
      'bad-carrier': 'ack',
      'put-fails': 'retry',
      'put-fails-last': 'dead_letter',
      'older-weather': 'ack',
      'weather-missing': 'dead_letter',
      'forecast-invalid': 'dead_letter',
      'unknown-format': 'dead_letter',
      number: 'dead_letter',
    });
  });
});
