import { env } from 'cloudflare:test';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../../src/env';
import worker from '../../../src/workers/web';
import { memoryExporter } from '../memory-spans';
import { deliverBatch } from '../queue-batch';
import { recordingQueue, type RecordingQueue } from '../recording-queue';
import { bearer, send, webEnv } from './web-client';

/**
 * X-Request-ID: a valid incoming one (1-128 printable ASCII) is echoed, put on the request's server
 * span and every span under it, and carried into the run it starts (queue body, run record, run
 * view); an invalid one is never reflected nor recorded. A run started without one answers with
 * its run id.
 */
const ATTR = 'weather_landscape.request_id';
const REQUEST_ID = 'req-7f3a: build 42/retry 1 (ok)';

let fetchJobs: RecordingQueue;
function runEnv(overrides: Partial<Env> = {}): Env {
  fetchJobs = recordingQueue(env.FETCH_JOBS);
  return webEnv({ FETCH_JOBS: fetchJobs, ...overrides });
}

const serverSpan = (name: string): ReadableSpan => {
  const span = memoryExporter.getFinishedSpans().find((s) => s.name === name);
  if (!span)
    throw new Error(
      `no span ${name} among ${memoryExporter
        .getFinishedSpans()
        .map((s) => s.name)
        .join(', ')}`,
    );
  return span;
};

async function generate(requestId?: string, e: Env = runEnv()): Promise<Response> {
  const headers: Record<string, string> = bearer();
  if (requestId !== undefined) headers['x-request-id'] = requestId;
  return send('/admin/generate?zip=78729', { method: 'POST', headers }, e);
}

beforeEach(() => memoryExporter.reset());

describe('X-Request-ID on a run', () => {
  it('echoes a valid one, and records it on every span of the request, in the fetch job and in the run record', async () => {
    const res = await generate(REQUEST_ID);
    expect(res.status).toBe(202);
    expect(res.headers.get('x-request-id')).toBe(REQUEST_ID);
    const { run_id: runId } = await res.json<{ run_id: string }>();
    const spans = memoryExporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toContain('send fetch-jobs');
    for (const span of spans) expect({ span: span.name, id: span.attributes[ATTR] }).toEqual({ span: span.name, id: REQUEST_ID });
    expect(fetchJobs.sent).toEqual([expect.objectContaining({ run_id: runId, trigger: 'admin', request_id: REQUEST_ID })]);
    const view = await (await send(`/admin/runs/${runId}`, { headers: bearer() })).json<Record<string, unknown>>();
    expect(view).toMatchObject({ run_id: runId, request_id: REQUEST_ID });
    const html = await (await send(`/admin/run/${runId}`, { headers: bearer() })).text();
    expect(html).toContain('<code id="request-id">req-7f3a: build 42/retry 1 (ok)</code>');
  });

  it('answers with the run id when the caller sent none, and records no request id', async () => {
    const res = await generate();
    const { run_id: runId } = await res.json<{ run_id: string }>();
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('x-request-id')).toBe(runId);
    expect(serverSpan('POST /admin/generate').attributes[ATTR]).toBeUndefined();
    expect(fetchJobs.sent[0]).not.toHaveProperty('request_id');
    expect(await (await send(`/admin/runs/${runId}`, { headers: bearer() })).json()).not.toHaveProperty('request_id');
  });

  // CR and LF cannot reach the worker at all (the Headers API refuses them); the schema's own
  // test (test/node/otel/telemetry-hygiene.test.ts) covers them.
  it.each([
    ['empty', ''],
    ['129 characters', 'a'.repeat(129)],
    ['non-ASCII', 'req-caf\u00e9'],
    ['a tab inside', 'req\t1'],
    ['DEL', 'req\u007f1'],
  ])('ignores an invalid one (%s): never reflected, never recorded; the run id answers', async (_label, invalid) => {
    const res = await generate(invalid);
    expect(res.status).toBe(202);
    const { run_id: runId } = await res.json<{ run_id: string }>();
    expect(res.headers.get('x-request-id')).toBe(runId);
    for (const span of memoryExporter.getFinishedSpans()) expect(span.attributes[ATTR]).toBeUndefined();
    expect(fetchJobs.sent[0]).not.toHaveProperty('request_id');
    expect(await (await send(`/admin/runs/${runId}`, { headers: bearer() })).json()).not.toHaveProperty('request_id');
  });

  it('accepts 128 characters, taken as the runtime hands them over (surrounding spaces stripped)', async () => {
    const longest = `${'r'.repeat(127)}~`;
    expect((await generate(longest)).headers.get('x-request-id')).toBe(longest);
    expect((await generate('  spaced id  ')).headers.get('x-request-id')).toBe('spaced id');
  });

  it.each([
    ['with its own X-Request-ID', 'replay-request'],
    ['without one', undefined],
  ])("a replay %s: the replayed run carries the replay request's id, never the original run's", async (_label, replayId) => {
    const original = { schema_version: 1, zip_code: '78729', scheduled_at: '2026-11-24T05:00:00.000Z', trigger: 'admin', request_id: 'original-request' };
    const letter = {
      schema_version: 1,
      queue: 'fetch-jobs',
      message_id: 'msg-req',
      attempts: 1,
      reason: 'test',
      error_type: 'UnknownZipError',
      trace_id: '6e0c63257de34c92bf9efcd03927272e',
      span_id: '2a1b3c4d5e6f7a8b',
      dead_lettered_at: '2026-11-24T05:00:00.000Z',
      body: original,
    };
    for (const key of (await env.CONFIG.list({ prefix: 'dlq:' })).keys) await env.CONFIG.delete(key.name);
    await deliverBatch(worker, 'fetch-jobs-dlq', [{ body: letter }], env);
    const listed = await (await send('/admin/dlq', { headers: bearer() })).json<{ dead_letters: Array<{ id: string; message_id: string }> }>();
    const id = listed.dead_letters.find((d) => d.message_id === 'msg-req')!.id;
    const e = runEnv();
    memoryExporter.reset();
    const headers: Record<string, string> = { ...bearer(), ...(replayId ? { 'x-request-id': replayId } : {}) };
    const res = await send(`/admin/dlq/replay?id=${encodeURIComponent(id)}`, { method: 'POST', headers }, e);
    expect(res.status).toBe(202);
    const { run_id: runId } = await res.json<{ run_id: string }>();
    expect(res.headers.get('x-request-id')).toBe(replayId ?? runId);
    expect(fetchJobs.sent).toEqual([expect.objectContaining({ run_id: runId, trigger: 'replay' })]);
    expect((fetchJobs.sent[0] as Record<string, unknown>).request_id).toBe(replayId);
    expect(serverSpan('POST /admin/dlq/replay').attributes[ATTR]).toBe(replayId);
    expect((await (await send(`/admin/runs/${runId}`, { headers: bearer() })).json<Record<string, unknown>>()).request_id).toBe(replayId);
  });
});

describe('X-Request-ID on requests without a run', () => {
  it('echoes a valid one on a public page and labels its server span; none without one', async () => {
    const res = await send('/guide', { headers: { 'x-request-id': REQUEST_ID } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(REQUEST_ID);
    expect(serverSpan('GET /guide').attributes[ATTR]).toBe(REQUEST_ID);
    memoryExporter.reset();
    const plain = await send('/guide');
    expect(plain.headers.has('x-request-id')).toBe(false);
    expect(serverSpan('GET /guide').attributes[ATTR]).toBeUndefined();
  });

  it('never reflects an invalid one', async () => {
    const res = await send('/guide', { headers: { 'x-request-id': 'a'.repeat(129) } });
    expect(res.headers.has('x-request-id')).toBe(false);
    expect(serverSpan('GET /guide').attributes[ATTR]).toBeUndefined();
  });

  it('echoes it on a 404 and on an internal error (500)', async () => {
    const missing = await send('/no/such/page/here', { headers: { 'x-request-id': 'on-404' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('on-404');
    // KV refuses every write: the run record cannot be opened, onError answers.
    const failing = new Proxy(env.CONFIG, {
      get(target, prop) {
        if (prop === 'put') return async () => Promise.reject(new Error('KV PUT failed: 500 Internal Server Error'));
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const broken = await send('/admin/generate?zip=12321', { method: 'POST', headers: { ...bearer(), 'x-request-id': 'on-500' } }, runEnv({ CONFIG: failing }));
    expect(broken.status).toBe(500);
    expect(broken.headers.get('x-request-id')).toBe('on-500');
    expect(await broken.json()).toEqual({ error: 'Internal error.' });
  });
});
