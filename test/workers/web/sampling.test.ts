import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/web';
import { recordingQueue, type RecordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import { bearer, csrfFromPage, login, sameOrigin, send } from './web-client';
import type { Env } from '../../../src/env';

/**
 * At OTEL_TRACES_SAMPLER_ARG=0: a run a person starts from the admin is sampled all the same, a cron
 * run follows the ratio, no link is handed out to a trace that is not sampled, and the web worker's
 * record of a dead letter is kept like a failure, so an unsampled failed run still ends in the web
 * worker's traces.
 */
const KEPT = 'weather_landscape.sampling.kept_for_error';
let fetchJobs: RecordingQueue;

function unsampledEnv(): Env {
  fetchJobs = recordingQueue(env.FETCH_JOBS);
  return { ...env, OTEL_TRACES_SAMPLER_ARG: '0', FETCH_JOBS: fetchJobs };
}

const sampled = (carrier: Record<string, string>) =>
  ((trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier))?.traceFlags ?? 0) & TraceFlags.SAMPLED) !== 0;
const exported = (name: string) => memoryExporter.getFinishedSpans().filter((s) => s.name === name);

describe('admin runs at sampling ratio 0', () => {
  beforeEach(() => memoryExporter.reset());

  it('Generate now (bearer) is sampled: the run is traced whole and its Jaeger link is handed out', async () => {
    const res = await send('/admin/generate?zip=78729', { method: 'POST', headers: bearer() }, unsampledEnv());
    expect(res.status).toBe(202);
    const body = await res.json<{ trace_id: string; traceparent: string; jaeger_url: string | null; run_url: string }>();
    expect(body.traceparent).toMatch(new RegExp(`^00-${body.trace_id}-[0-9a-f]{16}-0[13]$`));
    expect(body.jaeger_url).toBe(`http://localhost:16686/trace/${body.trace_id}`);
    // The next hop inherits the decision: every worker records the run.
    const [job] = fetchJobs.sent as Array<{ _otel: Record<string, string> }>;
    expect(sampled(job._otel)).toBe(true);
    const [root] = exported('POST /admin/generate');
    expect(root.spanContext().traceId).toBe(body.trace_id);
    expect(root.attributes).not.toHaveProperty(KEPT);
    expect(exported('send fetch-jobs')).toHaveLength(1);
    // And the run view links to it.
    const view = await (await send(body.run_url, { headers: bearer() }, unsampledEnv())).json<{ jaeger_url: string | null }>();
    expect(view.jaeger_url).toBe(body.jaeger_url);
  });

  it('Generate now from the admin page (session cookie and CSRF token) is sampled too', async () => {
    const { cookie } = await login();
    const csrf = await csrfFromPage({ cookie: cookie! });
    memoryExporter.reset();
    const res = await send(
      '/admin/generate?zip=78729',
      { method: 'POST', headers: { cookie: cookie!, ...sameOrigin({ 'x-csrf-token': csrf }) } },
      unsampledEnv(),
    );
    expect(res.status).toBe(202);
    const body = await res.json<{ trace_id: string; jaeger_url: string | null }>();
    expect(body.jaeger_url).toBe(`http://localhost:16686/trace/${body.trace_id}`);
    expect(exported('POST /admin/generate').map((s) => s.spanContext().traceId)).toEqual([body.trace_id]);
  });

  it('a replay of a dead letter is sampled', async () => {
    const letter = {
      schema_version: 1,
      queue: 'fetch-jobs',
      message_id: 'msg-sampling',
      attempts: 1,
      reason: 'Unknown ZIP 00000',
      error_type: 'UnknownZipError',
      trace_id: '7e0c63257de34c92bf9efcd03927272e',
      span_id: '3a1b3c4d5e6f7a8b',
      dead_lettered_at: '2026-11-24T05:00:00.000Z',
      body: { schema_version: 1, zip_code: '78729', scheduled_at: '2026-11-24T05:00:00.000Z', trigger: 'cron' },
    };
    for (const key of (await env.CONFIG.list({ prefix: 'dlq:' })).keys) await env.CONFIG.delete(key.name);
    await deliverBatch(worker, 'fetch-jobs-dlq', [{ body: letter }], env);
    const [stored] = (await (await send('/admin/dlq', { headers: bearer() })).json<{ dead_letters: Array<{ id: string }> }>()).dead_letters;
    memoryExporter.reset();
    const res = await send(`/admin/dlq/replay?id=${encodeURIComponent(stored.id)}`, { method: 'POST', headers: bearer() }, unsampledEnv());
    expect(res.status).toBe(202);
    expect(exported('POST /admin/dlq/replay')).toHaveLength(1);
    expect(sampled((fetchJobs.sent[0] as { _otel: Record<string, string> })._otel)).toBe(true);
  });

  it('other admin requests follow the ratio', async () => {
    expect((await send('/admin/activate?zip=12345', { method: 'POST', headers: bearer() }, unsampledEnv())).status).toBe(200);
    expect((await send('/admin/status', { headers: bearer() }, unsampledEnv())).status).toBe(200);
    expect(memoryExporter.getFinishedSpans()).toEqual([]);
  });

  it("a caller's unsampled traceparent still wins, and then no Jaeger link is handed out", async () => {
    const incoming = '00-21111111111111111111111111111111-3222222222222222-00';
    const res = await send('/admin/generate?zip=78729', { method: 'POST', headers: { ...bearer(), traceparent: incoming } }, unsampledEnv());
    expect(res.status).toBe(202);
    const body = await res.json<{ trace_id: string; traceparent: string; jaeger_url: string | null; run_url: string }>();
    // The trace id stays useful: every log line of the run carries it.
    expect(body.trace_id).toBe('21111111111111111111111111111111');
    expect(body.traceparent).toMatch(/-0[02]$/);
    expect(body.jaeger_url).toBeNull();
    expect(memoryExporter.getFinishedSpans()).toEqual([]);
    const view = await (await send(body.run_url, { headers: bearer() }, unsampledEnv())).json<{ jaeger_url: string | null; sampled: boolean }>();
    expect(view).toMatchObject({ sampled: false, jaeger_url: null });
    const page = await (await send(`/admin/run/${body.trace_id}`, { headers: bearer() }, unsampledEnv())).text();
    expect(page).not.toContain('id="jaeger-link"');
  });
});

describe('cron runs at sampling ratio 0', () => {
  beforeEach(() => memoryExporter.reset());

  it('follow the ratio: nothing exported, and the next hop is told so', async () => {
    const e = unsampledEnv();
    for (const key of (await env.CONFIG.list({ prefix: 'zip:' })).keys) await env.CONFIG.delete(key.name);
    await send('/admin/activate?zip=78729', { method: 'POST', headers: bearer() }, e);
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '*/15 * * * *', scheduledTime: Date.now() }), e, ctx);
    await waitOnExecutionContext(ctx);
    const [job] = fetchJobs.sent as Array<{ zip_code: string; _otel: Record<string, string> }>;
    expect(job.zip_code).toBe('78729');
    expect(sampled(job._otel)).toBe(false);
    expect(memoryExporter.getFinishedSpans()).toEqual([]);
  });
});

describe('dead letters of unsampled runs', () => {
  beforeEach(() => memoryExporter.reset());

  it("are recorded in spans that are exported, marked kept for an error, in the failed run's trace", async () => {
    const runTrace = '8e0c63257de34c92bf9efcd03927272e';
    const deadLetterSend = '4a1b3c4d5e6f7a8b';
    const letter = {
      schema_version: 1,
      queue: 'fetch-jobs',
      message_id: 'msg-unsampled',
      attempts: 1,
      reason: 'Unknown ZIP 00000',
      error_type: 'UnknownZipError',
      trace_id: runTrace,
      span_id: '5a1b3c4d5e6f7a8b',
      dead_lettered_at: '2026-11-24T05:00:00.000Z',
      body: { schema_version: 1, zip_code: '00000', scheduled_at: '2026-11-24T05:00:00.000Z', trigger: 'cron' },
      // As the fetcher sends it from an unsampled run: flags 00.
      _otel: { traceparent: `00-${runTrace}-${deadLetterSend}-00` },
    };
    const result = await deliverBatch(worker, 'fetch-jobs-dlq', [{ body: letter }], unsampledEnv());
    expect(result.explicitAcks).toEqual(['m0']);
    const spans = memoryExporter.getFinishedSpans().filter((s) => s.spanContext().traceId === runTrace);
    const [process] = spans.filter((s) => s.name === 'process fetch-jobs-dlq');
    expect(process).toBeDefined();
    expect(process.parentSpanContext?.spanId).toBe(deadLetterSend);
    // Recording it went well: the span is not failed, only kept.
    expect(process.status.code).not.toBe(2);
    expect(process.attributes).toMatchObject({ 'messaging.cloudflare_queues.outcome': 'ack', 'weather_landscape.zip': '00000', [KEPT]: true });
    // The whole invocation's part of the trace goes (the KV write of the record too).
    expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['process fetch-jobs-dlq', 'put dlq:{id}']));
    for (const span of spans) expect(span.attributes[KEPT]).toBe(true);
  });
});
