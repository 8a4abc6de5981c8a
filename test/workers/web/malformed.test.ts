import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../../../src/workers/web';
import { deliverBatch } from '../queue-batch';
import { admin } from './web-client';
import { malformedCases, QUEUE_FIELDS } from '../../support/malformed-bodies';
import type { Env } from '../../../src/env';

/**
 * The web worker's dead-letter-queue consumer with bodies of every kind: whatever the runtime moves
 * to a `<queue>-dlq` (any body a producer could send, when its consumer crashed) or whatever our
 * consumers sent there is recorded and listed in /admin/dlq, and a record of KV's failures is
 * bounded: retried, then a short last-resort record, then one log line, never a thrown batch.
 */
const VALID = { schema_version: 1, zip_code: '78729', scheduled_at: '2026-06-21T12:00:00.000Z', trigger: 'admin' };
const FIELDS = QUEUE_FIELDS['fetch-jobs'];

interface Listed {
  id: string;
  queue: string;
  message_id: string;
  error_type: string;
  body: unknown;
  replayable?: boolean;
  body_notes?: string[];
  record_error?: string;
}

async function listed(): Promise<Listed[]> {
  return (await (await admin('/admin/dlq')).json<{ dead_letters: Listed[] }>()).dead_letters;
}

/** The real KV namespace, whose puts of dead-letter records fail while `failing()` says so. */
function flakyKv(real: KVNamespace, failing: (key: string) => boolean) {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'put') {
        return async (key: string, value: string, options?: KVNamespacePutOptions) => {
          if (failing(key)) throw new Error('KV PUT failed: 500 Internal Server Error');
          return target.put(key, value, options);
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The consumer takes the trace carrier out of every body it reads, the dead-letter queues' too. */
function withoutCarrier(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([key]) => key !== '_otel'));
}

beforeEach(async () => {
  for (const key of (await env.CONFIG.list({ prefix: 'dlq:' })).keys) await env.CONFIG.delete(key.name);
});
afterEach(() => vi.restoreAllMocks());

describe('the dead-letter queue consumer records any body', () => {
  it('records every catalogue body the runtime dead-letters, JSON or not, and lists each', async () => {
    const cases = malformedCases(VALID, FIELDS);
    for (let start = 0; start < cases.length; start += 10) {
      const chunk = cases.slice(start, start + 10);
      const result = await deliverBatch(
        worker,
        'fetch-jobs-dlq',
        chunk.map((c, i) => ({ id: `raw-${start + i}`, body: c.body, attempts: 1 })),
        env,
      );
      expect(result.retryMessages).toEqual([]);
      expect(result.explicitAcks.sort()).toEqual(chunk.map((_, i) => `raw-${start + i}`).sort());
    }
    const letters = await listed();
    expect(letters).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      const letter = letters.find((l) => l.message_id === `raw-${i}`);
      expect(letter, c.name).toMatchObject({ queue: 'fetch-jobs', error_type: 'runtime_dead_letter' });
      if (c.preview) expect(letter, c.name).toMatchObject({ replayable: false, body_notes: expect.arrayContaining([expect.any(String)]) });
      else expect(letter, c.name).toMatchObject({ replayable: true, body: withoutCarrier(c.body) });
    });
    // What the admin reads of a few of them.
    const byName = (name: string) => letters.find((l) => l.message_id === `raw-${cases.findIndex((c) => c.name === name)}`)!;
    expect(byName('zip_code a BigInt').body).toMatchObject({ zip_code: { $type: 'BigInt', value: '78729' } });
    expect(byName('zip_code the body itself (a cycle)').body).toMatchObject({ zip_code: { $type: 'Circular', ref: '$' } });
    expect(byName("a valid body's JSON as bytes").body).toEqual({
      $type: 'ArrayBuffer',
      byte_length: JSON.stringify(VALID).length,
      utf8: JSON.stringify(VALID),
    });
  });

  it('refuses to replay a preview with a clear 422, and keeps the record', async () => {
    const body: Record<string, unknown> = { ...VALID };
    body.self = body;
    await deliverBatch(worker, 'fetch-jobs-dlq', [{ id: 'cycle', body }], env);
    const [letter] = await listed();
    expect(letter.replayable).toBe(false);
    const res = await admin(`/admin/dlq/replay?id=${encodeURIComponent(letter.id)}`, env, 'POST');
    expect(res.status).toBe(422);
    expect((await res.json<{ error: string }>()).error).toMatch(/keeps only a preview of its body \(cycle at \$\.self back to \$\); it cannot be replayed/);
    expect(await listed()).toHaveLength(1);
  });
});

describe('when KV refuses the record', () => {
  const body = { ...VALID, zip_code: 'x'.repeat(50_000) };

  it('retries with backoff before the last delivery, and records nothing yet', async () => {
    const e = { ...env, CONFIG: flakyKv(env.CONFIG, (key) => key.startsWith('dlq:')) } as Env;
    const result = await deliverBatch(worker, 'fetch-jobs-dlq', [{ id: 'flaky', body, attempts: 1 }], e);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(['flaky']);
    expect(result.retryDelays.get('flaky')).toBeGreaterThanOrEqual(1);
    expect(await listed()).toEqual([]);
  });

  it('on the last delivery, falls back to a short record with the error and a small preview', async () => {
    let refused = 0;
    const e = { ...env, CONFIG: flakyKv(env.CONFIG, (key) => key.startsWith('dlq:') && refused++ === 0) } as Env;
    const result = await deliverBatch(worker, 'fetch-jobs-dlq', [{ id: 'last', body, attempts: 4 }], e);
    expect(result.explicitAcks).toEqual(['last']);
    expect(result.retryMessages).toEqual([]);
    const [letter] = await listed();
    expect(letter).toMatchObject({ message_id: 'last', replayable: false, record_error: 'KV PUT failed: 500 Internal Server Error' });
    expect(letter.body_notes).toContain('short record: the full dead letter could not be stored');
    expect(JSON.stringify(letter.body).length).toBeLessThan(2_000);
  });

  it('keeps a small plain body whole in the short record, still replayable', async () => {
    let refused = 0;
    const e = { ...env, CONFIG: flakyKv(env.CONFIG, (key) => key.startsWith('dlq:') && refused++ === 0) } as Env;
    const small = { ...VALID, zip_code: '00000' };
    await deliverBatch(worker, 'fetch-jobs-dlq', [{ id: 'small', body: small, attempts: 4 }], e);
    const [letter] = await listed();
    expect(letter).toMatchObject({ message_id: 'small', body: small, replayable: true, record_error: 'KV PUT failed: 500 Internal Server Error' });
  });

  it('when KV refuses that too, acks and leaves one error line with the preview (the runtime would drop it anyway)', async () => {
    const errors = vi.spyOn(console, 'error');
    const e = { ...env, CONFIG: flakyKv(env.CONFIG, (key) => key.startsWith('dlq:')) } as Env;
    const result = await deliverBatch(worker, 'fetch-jobs-dlq', [{ id: 'lost', body, attempts: 4 }], e);
    expect(result.explicitAcks).toEqual(['lost']);
    expect(result.retryMessages).toEqual([]);
    const lost = errors.mock.calls.filter(([message]) => message === 'dead letter lost: it could not be stored');
    expect(lost).toHaveLength(1);
    expect(lost[0][1]).toMatchObject({ message_id: 'lost', body_preview: expect.stringContaining('"zip_code":"xxxx') });
  });
});
