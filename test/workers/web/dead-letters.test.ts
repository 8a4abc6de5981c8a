import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/web';
import { recordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import { admin } from './web-client';
import type { Env } from '../../../src/env';

const ORIGINAL_TRACE = '6e0c63257de34c92bf9efcd03927272e';
const ORIGINAL_SPAN = '2a1b3c4d5e6f7a8b';

function ourLetter(body: unknown, id = 'msg-1') {
  return {
    schema_version: 1,
    queue: 'fetch-jobs',
    message_id: id,
    attempts: 1,
    reason: 'Unknown ZIP 00000: no US result from the geocoder',
    error_type: 'UnknownZipError',
    trace_id: ORIGINAL_TRACE,
    span_id: ORIGINAL_SPAN,
    dead_lettered_at: '2026-11-24T05:00:00.000Z',
    body,
    _otel: { traceparent: `00-${ORIGINAL_TRACE}-${ORIGINAL_SPAN}-01` },
  };
}

describe('dead-letter queues', () => {
  beforeEach(async () => {
    memoryExporter.reset();
    for (const key of (await env.CONFIG.list({ prefix: 'dlq:' })).keys) await env.CONFIG.delete(key.name);
  });

  it('records our dead letters and raw runtime dead letters, and lists them for the admin', async () => {
    const job = { schema_version: 1, zip_code: '00000', scheduled_at: '2026-11-24T05:00:00.000Z', trigger: 'admin' };
    const result = await deliverBatch(
      worker,
      'fetch-jobs-dlq',
      [{ body: ourLetter(job) }, { body: { zip_code: 'raw', _otel: { traceparent: `00-${ORIGINAL_TRACE}-${ORIGINAL_SPAN}-01` } }, attempts: 4 }],
      env,
    );
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1']);
    const list = await (await admin('/admin/dlq', env)).json<{ count: number; dead_letters: Array<Record<string, unknown>> }>();
    expect(list.count).toBe(2);
    const ours = list.dead_letters.find((d) => d.error_type === 'UnknownZipError')!;
    expect(ours).toMatchObject({ queue: 'fetch-jobs', reason: expect.stringMatching(/00000/), trace_id: ORIGINAL_TRACE, body: job });
    const raw = list.dead_letters.find((d) => d.error_type === 'runtime_dead_letter')!;
    // The runtime's dead letter still belongs to its trace: the carrier made the record's process span its child.
    expect(raw).toMatchObject({ queue: 'fetch-jobs', attempts: 4, trace_id: ORIGINAL_TRACE, body: { zip_code: 'raw' } });
  });

  it('replays a dead letter into its queue, linked to the trace it failed in, and deletes the record', async () => {
    const job = { schema_version: 1, zip_code: '78729', scheduled_at: '2026-11-24T05:00:00.000Z', trigger: 'admin' };
    await deliverBatch(worker, 'fetch-jobs-dlq', [{ body: ourLetter(job) }], env);
    const [letter] = (await (await admin('/admin/dlq', env)).json<{ dead_letters: Array<{ id: string }> }>()).dead_letters;
    const fetchJobs = recordingQueue(env.FETCH_JOBS);
    const e = { ...env, FETCH_JOBS: fetchJobs } as unknown as Env;
    memoryExporter.reset();
    const res = await admin(`/admin/dlq/replay?id=${encodeURIComponent(letter.id)}`, e, 'POST');
    expect(res.status).toBe(202);
    expect(fetchJobs.sent).toHaveLength(1);
    // The replayed run says what started it.
    expect(fetchJobs.sent[0]).toMatchObject({ ...job, trigger: 'replay' });
    const server = memoryExporter.getFinishedSpans().find((s) => s.name === 'POST /admin/dlq/replay')!;
    expect(server.attributes['weather_landscape.run.trigger']).toBe('replay');
    expect(server.links.map((l) => `${l.context.traceId}/${l.context.spanId}`)).toContain(`${ORIGINAL_TRACE}/${ORIGINAL_SPAN}`);
    expect(server.spanContext().traceId).not.toBe(ORIGINAL_TRACE);
    expect((await (await admin('/admin/dlq', env)).json<{ count: number }>()).count).toBe(0);
  });

  it('a replayed landscape job is a run the run view follows: the format it awaits and its image from R2', async () => {
    const fetchedAt = '2026-11-24T05:00:00.000Z';
    const job = {
      schema_version: 1,
      zip_code: '78729',
      format_name: 'bw',
      lat: 30.45,
      lon: -97.79,
      fetched_at: fetchedAt,
      enqueued_at: fetchedAt,
      trigger: 'cron',
    };
    await deliverBatch(
      worker,
      'landscape-jobs-dlq',
      [{ body: { ...ourLetter(job, 'msg-lj'), queue: 'landscape-jobs', error_type: '_OTHER', reason: 'R2 down' } }],
      env,
    );
    const letter = (await (await admin('/admin/dlq', env)).json<{ dead_letters: Array<{ id: string; queue: string }> }>()).dead_letters.find(
      (d) => d.queue === 'landscape-jobs',
    )!;
    const landscapeJobs = recordingQueue(env.LANDSCAPE_JOBS);
    const res = await admin(`/admin/dlq/replay?id=${encodeURIComponent(letter.id)}`, { ...env, LANDSCAPE_JOBS: landscapeJobs }, 'POST');
    expect(res.status).toBe(202);
    const { run_id: runId } = await res.json<{ run_id: string }>();
    const view = async () => await (await admin(`/admin/runs/${runId}`, env)).json<Record<string, unknown>>();
    expect(await view()).toMatchObject({ status: 'rendering', trigger: 'replay', formats: ['bw'], weather_fetched_at: fetchedAt, images: [] });
    // The generator stores the replayed job's image (as it does, with its run id): the run is done.
    await env.WEATHER_IMAGES.put('78729/bw.bmp', new Uint8Array(4), {
      customMetadata: { 'generated-at': fetchedAt, 'weather-fetched-at': fetchedAt, zip: '78729', lat: '30.45', lon: '-97.79', size: '4', 'run-id': runId },
    });
    expect(await view()).toMatchObject({ status: 'done', images: [{ format: 'bw', url: '/78729/bw.bmp' }] });
  });

  it("replays many dead letters in one sendBatch, each a new run whose root is its message's creation context; one that cannot be replayed stays", async () => {
    const job = (zip: string) => ({ schema_version: 1, zip_code: zip, scheduled_at: '2026-11-24T05:00:00.000Z', trigger: 'cron' });
    await deliverBatch(
      worker,
      'fetch-jobs-dlq',
      [
        { body: ourLetter(job('78729'), 'a') },
        { body: ourLetter(job('10001'), 'b') },
        { body: ourLetter({ zip_code: 'nope' }, 'c') },
        { body: ourLetter(job('94110'), 'd') },
      ],
      env,
    );
    const fetchJobs = recordingQueue(env.FETCH_JOBS);
    const e = { ...env, FETCH_JOBS: fetchJobs } as unknown as Env;
    memoryExporter.reset();
    const res = await admin('/admin/dlq/replay-all?queue=fetch-jobs&limit=3', e, 'POST');
    expect(res.status).toBe(202);
    const answer = await res.json<{ replayed: Array<{ id: string; run_id: string }>; failed: Array<{ id: string; error: string }>; remaining: number }>();
    // The oldest three (a, b, c): c fails its schema and stays; d is left for the next call.
    expect(answer.replayed.map((r) => r.id.split(':').at(-1))).toEqual(['a', 'b']);
    expect(answer.failed).toEqual([{ id: expect.stringMatching(/:c$/), error: expect.stringContaining('fails the fetch-jobs schema') }]);
    expect(answer.remaining).toBe(2);
    expect(fetchJobs.batches).toBe(1);
    expect(fetchJobs.sent).toHaveLength(2);

    const spans = memoryExporter.getFinishedSpans();
    const server = spans.find((s) => s.name === 'POST /admin/dlq/replay-all')!;
    const [send] = spans.filter((s) => s.name === 'send fetch-jobs');
    expect(send.spanContext().traceId).toBe(server.spanContext().traceId);
    const roots = spans.filter((s) => s.name === 'replay run');
    expect(roots).toHaveLength(2);
    for (const [i, root] of roots.entries()) {
      const traceId = root.spanContext().traceId;
      expect(traceId).not.toBe(server.spanContext().traceId);
      // Its run record is named by its own trace, its message carries that root, and the send links to it.
      expect(answer.replayed.map((r) => r.run_id)).toContain(traceId);
      expect(fetchJobs.sent.map((b) => (b as { _otel: { traceparent: string } })._otel.traceparent)).toContainEqual(
        expect.stringMatching(new RegExp(`^00-${traceId}-${root.spanContext().spanId}-0[13]$`)),
      );
      expect(send.links.map((l) => l.context.spanId)).toContain(root.spanContext().spanId);
      expect(root.attributes).toMatchObject({ 'weather_landscape.run.trigger': 'replay', 'weather_landscape.zip': ['78729', '10001'][i] });
      expect(root.links.map((l) => [l.context.spanId, l.attributes?.['weather_landscape.link']])).toEqual([
        [server.spanContext().spanId, 'replay_request'],
        [ORIGINAL_SPAN, 'replay_of_dead_letter'],
      ]);
    }
    const left = (await (await admin('/admin/dlq', env)).json<{ dead_letters: Array<{ id: string }> }>()).dead_letters;
    expect(left.map((l) => l.id.split(':').at(-1)).sort()).toEqual(['c', 'd']);
  });

  it('refuses to replay a body that still fails its schema, and keeps the record', async () => {
    await deliverBatch(worker, 'fetch-jobs-dlq', [{ body: ourLetter({ zip_code: 'nope' }) }], env);
    const [letter] = (await (await admin('/admin/dlq', env)).json<{ dead_letters: Array<{ id: string }> }>()).dead_letters;
    const res = await admin(`/admin/dlq/replay?id=${encodeURIComponent(letter.id)}`, env, 'POST');
    expect(res.status).toBe(422);
    expect((await (await admin('/admin/dlq', env)).json<{ count: number }>()).count).toBe(1);
    // Well formed, but no such dead letter.
    expect((await admin(`/admin/dlq/replay?id=${encodeURIComponent('2026-11-24T05:00:00.000Z:fetch-jobs:gone')}`, env, 'POST')).status).toBe(404);
  });

  it('answers 400 to a replay id outside the format ids are made in, before KV is asked (its keys hold 512 bytes)', async () => {
    const emoji = '\u{1F600}'.repeat(150); // 150 characters in the old check, 600 bytes
    for (const id of [
      emoji,
      `2026-11-24T05:00:00.000Z:fetch-jobs:${emoji}`,
      `2026-11-24T05:00:00.000Z:fetch-jobs:${'a'.repeat(201)}`,
      '2026-11-24T05:00:00.000Z:other-queue:msg-1',
      '2026-11-24:fetch-jobs:msg-1',
      'missing',
    ]) {
      const res = await admin(`/admin/dlq/replay?id=${encodeURIComponent(id)}`, env, 'POST');
      expect(res.status, id).toBe(400);
      expect(await res.json(), id).toEqual({ error: expect.stringMatching(/^Not a dead-letter id: expected <ISO time>:<queue>:<message id>/) });
    }
  });

  it('keeps the dead-letter API behind the admin token', async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch!(new Request('http://localhost/admin/dlq'), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(401);
  });
});
