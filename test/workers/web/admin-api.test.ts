import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/web';
import { recordingQueue, type RecordingQueue } from '../recording-queue';
import type { Env } from '../../../src/env';
import { expectSpanTree } from '../../../src/otel/testing';

const TOKEN = 'test-admin-token-0123456789abcdef';
let fetchJobs: RecordingQueue;

function testEnv(overrides: Partial<Env> = {}): Env {
  fetchJobs = recordingQueue(env.FETCH_JOBS);
  return { ...env, FETCH_JOBS: fetchJobs, ...overrides };
}

async function call(path: string, init: RequestInit & { token?: string | null } = {}, e: Env = testEnv()) {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  const ctx = createExecutionContext();
  const request = new Request(`http://localhost${path}`, { ...init, headers }) as Request<unknown, IncomingRequestCfProperties>;
  const response = await worker.fetch!(request, e, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe('admin API', () => {
  beforeEach(() => memoryExporter.reset());

  it('answers 503 with a clear message when no admin token is configured', async () => {
    const res = await call('/admin/status', {}, testEnv({ ADMIN_TOKEN: undefined }));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/ADMIN_TOKEN/) });
  });

  it.each([
    ['no header', null],
    ['wrong token', 'nope'],
    ['truncated token', TOKEN.slice(0, -1)],
    ['token plus a suffix', `${TOKEN}x`],
  ])('rejects %s with 401 and changes nothing', async (_label, token) => {
    const res = await call('/admin/activate?zip=12345', { method: 'POST', token });
    expect(res.status).toBe(401);
    expect(await env.CONFIG.get('zip:12345')).toBeNull();
  });

  it('queues a traced run on generate and returns its trace id, traceparent and Jaeger link', async () => {
    const res = await call('/admin/generate?zip=78729', { method: 'POST' });
    expect(res.status).toBe(202);
    const body = await res.json<Record<string, string>>();
    expect(body).toMatchObject({ success: true, zip: '78729' });
    expect(body.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(body.traceparent).toBe(res.headers.get('traceparent'));
    // Sampled (01), plus W3C level 2's random-trace-id flag (02) that otel-cf-workers sets.
    expect(body.traceparent).toMatch(new RegExp(`^00-${body.trace_id}-[0-9a-f]{16}-0[13]$`));
    expect(body.jaeger_url).toBe(`http://localhost:16686/trace/${body.trace_id}`);
    const [job] = fetchJobs.sent as Array<{ zip_code: string; trigger: string; _otel: Record<string, string> }>;
    expect(job).toMatchObject({ schema_version: 1, zip_code: '78729', trigger: 'admin' });
    expect(trace.getSpanContext(propagation.extract(ROOT_CONTEXT, job._otel))?.traceId).toBe(body.trace_id);
    const send = memoryExporter.getFinishedSpans().find((s) => s.name === 'send fetch-jobs')!;
    expect(send.spanContext().traceId).toBe(body.trace_id);
    expectSpanTree(memoryExporter.getFinishedSpans(), {
      name: 'POST /admin/generate',
      kind: 'SERVER',
      service: 'weather-landscape-web',
      attributes: {
        'http.route': '/admin/generate',
        'weather_landscape.zip': '78729',
        'weather_landscape.run.trigger': 'admin',
        'weather_landscape.run.id': body.trace_id,
      },
      children: [
        { name: 'put run:{id}', kind: 'CLIENT', attributes: { 'db.system.name': 'cloudflare_kv', 'cloudflare.kv.key': `run:${body.trace_id}` } },
        {
          name: 'send fetch-jobs',
          kind: 'PRODUCER',
          attributes: { 'messaging.system': 'cloudflare_queues', 'messaging.destination.name': 'fetch-jobs', 'messaging.operation.name': 'send' },
        },
      ],
    });
  });

  it('honours an incoming traceparent only on authenticated requests', async () => {
    const incoming = '00-11111111111111111111111111111111-2222222222222222-01';
    const authed = await (
      await call('/admin/generate?zip=78729', { method: 'POST', headers: { traceparent: incoming } })
    ).json<{
      trace_id: string;
    }>();
    expect(authed.trace_id).toBe('11111111111111111111111111111111');
    const publicRes = await call('/78729/rgb_light.png', { headers: { traceparent: incoming }, token: null });
    expect(publicRes.status).toBe(404);
    const server = memoryExporter.getFinishedSpans().find((s) => s.name === 'GET /:zip/:file')!;
    expect(server.spanContext().traceId).not.toBe('11111111111111111111111111111111');
    // Not trusted, but not thrown away: kept as a link on the new trace's server span.
    expect(server.links).toEqual([
      expect.objectContaining({
        context: expect.objectContaining({ traceId: '11111111111111111111111111111111', spanId: '2222222222222222' }),
        attributes: { 'weather_landscape.link': 'untrusted_incoming_traceparent' },
      }),
    ]);
  });

  it('rejects an invalid ZIP with 400 and the reference message', async () => {
    for (const zip of ['1234', '123456', 'abcde', '']) {
      const res = await call(`/admin/generate?zip=${zip}`, { method: 'POST' });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'Invalid ZIP code. Must be 5 digits.' });
    }
    expect(fetchJobs.sent).toHaveLength(0);
  });

  it('configures formats; rgb_light is always on and cannot be removed', async () => {
    expect(await (await call('/admin/formats?zip=10001')).json()).toMatchObject({ zip: '10001', formats: ['rgb_light'] });
    await call('/admin/formats/add?zip=10001&format=eink', { method: 'POST' });
    await call('/admin/formats/add?zip=10001&format=bw', { method: 'POST' });
    expect(await (await call('/admin/formats?zip=10001')).json()).toMatchObject({ formats: ['rgb_light', 'bw', 'eink'] });
    expect((await call('/admin/formats/remove?zip=10001&format=rgb_light', { method: 'POST' })).status).toBe(400);
    expect((await call('/admin/formats/add?zip=10001&format=sepia', { method: 'POST' })).status).toBe(400);
    await call('/admin/formats/remove?zip=10001&format=bw', { method: 'POST' });
    expect(await (await call('/admin/formats?zip=10001')).json()).toMatchObject({ formats: ['rgb_light', 'eink'] });
  });

  it('keeps concurrent activations of different ZIPs (no lost update)', async () => {
    const zips = Array.from({ length: 20 }, (_, i) => String(70000 + i));
    await Promise.all(zips.map((zip) => call(`/admin/activate?zip=${zip}`, { method: 'POST' })));
    const status = await (await call('/admin/status')).json<{ active_zips: string[] }>();
    expect(status.active_zips).toEqual(expect.arrayContaining(zips));
    await call('/admin/deactivate?zip=70003', { method: 'POST' });
    const after = await (await call('/admin/status')).json<{ active_zips: string[] }>();
    expect(after.active_zips).not.toContain('70003');
    expect(after.active_zips).toContain('70004');
  });

  it.each(['/x/admin/status', '/78729/admin/status', '/admin/status/', '/ADMIN/status', '/admin%2Fstatus'])(
    'does not reach admin code through %s',
    async (path) => {
      const res = await call(path, { token: null });
      // 401 is the admin guard itself turning the request away; nothing behind it runs.
      expect([400, 401, 404]).toContain(res.status);
      expect(JSON.stringify(await res.json())).not.toMatch(/active_zips/);
    },
  );
});

describe('cron', () => {
  it('enqueues one run per active ZIP, each in a trace of its own linked to the cron span', async () => {
    const e = testEnv();
    for (const key of (await env.CONFIG.list({ prefix: 'zip:' })).keys) await env.CONFIG.delete(key.name);
    await call('/admin/activate?zip=78729', { method: 'POST' }, e);
    await call('/admin/activate?zip=99701', { method: 'POST' }, e);
    await call('/admin/activate?zip=96813', { method: 'POST' }, e);
    await call('/admin/deactivate?zip=96813', { method: 'POST' }, e);
    memoryExporter.reset();
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '*/15 * * * *', scheduledTime: Date.now() }), e, ctx);
    await waitOnExecutionContext(ctx);
    const jobs = fetchJobs.sent as Array<{ zip_code: string; trigger: string }>;
    expect(jobs.map((j) => j.zip_code).sort()).toEqual(['78729', '99701']);
    expect(jobs.every((j) => j.trigger === 'cron')).toBe(true);
    const spans = memoryExporter.getFinishedSpans();
    const cron = spans.find((s) => s.name === 'cron */15 * * * *')!;
    const runs = spans.filter((s) => s.name === 'scheduled run');
    expect(runs).toHaveLength(2);
    expect(runs.map((r) => r.attributes['weather_landscape.zip']).sort()).toEqual(['78729', '99701']);
    expect(runs.every((r) => r.attributes['weather_landscape.run.trigger'] === 'cron')).toBe(true);
    expect(new Set(runs.map((r) => r.spanContext().traceId)).size).toBe(2);
    for (const run of runs) {
      expect(run.spanContext().traceId).not.toBe(cron.spanContext().traceId);
      expect(run.links.map((l) => l.context.spanId)).toContain(cron.spanContext().spanId);
    }
  });
});

describe('image routes', () => {
  it('treats a malformed query escape as an unknown format, not a server error', async () => {
    const res = await call('/78729?%E0%A4%A', { token: null });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Image not found. Waiting for first generation.' });
  });
});
