import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/web';
import { setZipActive } from '../../../src/storage/zip-registry';
import type { Env } from '../../../src/env';

/** 250 active ZIPs: three sendBatch calls of 100, 100 and 50. */
const ZIPS = Array.from({ length: 250 }, (_, i) => String(10_000 + i * 7).padStart(5, '0'));

/**
 * The real FETCH_JOBS binding, passed through, recording what each call carried; `refuse` picks
 * the calls that reject instead (Cloudflare refusing a batch), before anything reaches the queue.
 */
function observedQueue(real: Queue, refuse: (call: number) => boolean = () => false) {
  const calls: Array<{ method: 'send' | 'sendBatch'; zips: string[]; refused: boolean }> = [];
  const zipOf = (body: unknown) => (body as { zip_code: string }).zip_code;
  const queue = {
    async send(body: unknown, options?: QueueSendOptions) {
      const refused = refuse(calls.length + 1);
      calls.push({ method: 'send', zips: [zipOf(body)], refused });
      if (refused) throw new Error('Queue send failed: injected refusal');
      return real.send(body, options);
    },
    async sendBatch(messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) {
      const list = [...messages];
      const refused = refuse(calls.length + 1);
      calls.push({ method: 'sendBatch', zips: list.map((m) => zipOf(m.body)), refused });
      if (refused) throw new Error('Queue sendBatch failed: injected refusal');
      return real.sendBatch(list, options);
    },
  };
  return { queue: queue as unknown as Queue, calls };
}

async function activateOnly(zips: readonly string[]): Promise<void> {
  for (const key of (await env.CONFIG.list({ prefix: 'zip:' })).keys) await env.CONFIG.delete(key.name);
  for (const zip of zips) await setZipActive(env.CONFIG, zip, true);
}

async function runCron(e: Env): Promise<ReadableSpan[]> {
  memoryExporter.reset();
  const ctx = createExecutionContext();
  await worker.scheduled!(createScheduledController({ cron: '*/15 * * * *', scheduledTime: Date.now() }), e, ctx);
  await waitOnExecutionContext(ctx);
  return memoryExporter.getFinishedSpans();
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('cron fan-out', () => {
  beforeEach(() => activateOnly(ZIPS));

  it('sends every active ZIP once in ceil(N / 100) sendBatch calls; each run a trace of its own, linked both ways', async () => {
    const fetchJobs = observedQueue(env.FETCH_JOBS);
    const spans = await runCron({ ...env, FETCH_JOBS: fetchJobs.queue });

    expect(fetchJobs.calls.map((c) => [c.method, c.zips.length])).toEqual([
      ['sendBatch', 100],
      ['sendBatch', 100],
      ['sendBatch', 50],
    ]);
    expect(fetchJobs.calls.flatMap((c) => c.zips).sort()).toEqual([...ZIPS].sort());

    const cron = spans.find((s) => s.name === 'cron */15 * * * *')!;
    const sends = spans.filter((s) => s.name === 'send fetch-jobs');
    expect(sends).toHaveLength(3);
    for (const send of sends) {
      expect(send.kind).toBe(SpanKind.CLIENT);
      expect(send.spanContext().traceId).toBe(cron.spanContext().traceId);
      expect(parentOf(send)).toBe(cron.spanContext().spanId);
      expect(send.attributes).toMatchObject({
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': 'fetch-jobs',
      });
      expect(send.attributes['messaging.batch.message_count']).toBe(send.links.length);
    }

    const roots = spans.filter((s) => s.name === 'scheduled run');
    expect(spans.filter((s) => s.name === 'create fetch-jobs')).toEqual([]);
    expect(roots).toHaveLength(ZIPS.length);
    expect(new Set(roots.map((r) => r.spanContext().traceId)).size).toBe(ZIPS.length);
    const linked = new Set(sends.flatMap((s) => s.links.map((l) => `${l.context.traceId}/${l.context.spanId}`)));
    expect(linked.size).toBe(ZIPS.length);
    for (const root of roots) {
      const zip = root.attributes['weather_landscape.zip'];
      expect(root.spanContext().traceId).not.toBe(cron.spanContext().traceId);
      expect(root.links.map((l) => l.context.spanId)).toEqual([cron.spanContext().spanId]);
      // The run's root is its message's creation context: the cron's send links to it, no span between.
      expect(linked.has(`${root.spanContext().traceId}/${root.spanContext().spanId}`)).toBe(true);
      expect(root.attributes).toMatchObject({ 'weather_landscape.zip': zip, 'weather_landscape.run.trigger': 'cron' });
      expect(root.status.code).not.toBe(SpanStatusCode.ERROR);
    }
  });

  it('a batch the queue refuses fails only its own ZIPs: the other batches are enqueued, each failed ZIP is logged by name', async () => {
    const errors = vi.spyOn(console, 'error');
    const infos = vi.spyOn(console, 'info');
    const fetchJobs = observedQueue(env.FETCH_JOBS, (call) => call === 2);
    const spans = await runCron({ ...env, FETCH_JOBS: fetchJobs.queue });

    const refused = fetchJobs.calls.filter((c) => c.refused).flatMap((c) => c.zips);
    const enqueued = fetchJobs.calls.filter((c) => !c.refused).flatMap((c) => c.zips);
    expect(refused).toHaveLength(100);
    expect(enqueued.sort()).toEqual(ZIPS.filter((zip) => !refused.includes(zip)).sort());

    // One line for the refused batch, naming each of its ZIPs (one line per ZIP would outgrow Workers Logs' 256 KB per invocation at 10,000 ZIPs).
    const logged = errors.mock.calls
      .filter(([message]) => message === 'scheduled runs could not be enqueued')
      .map(([, fields]) => fields as Record<string, unknown>);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ action: 'error', trigger: 'cron', error: expect.stringContaining('injected refusal') });
    expect([...(logged[0].zip_codes as string[])].sort()).toEqual([...refused].sort());
    const started = infos.mock.calls.filter(([message]) => message === 'runs started').map(([, fields]) => fields as Record<string, unknown>);
    expect(started.map((f) => f.zips)).toEqual([100, 50]);
    const summary = infos.mock.calls.find(([message]) => message === 'scheduled runs enqueued')?.[1];
    expect(summary).toMatchObject({ zips: ZIPS.length, failed: 100 });

    // The failed runs' roots are red (so kept whatever the sampling), the others are not; one send span failed.
    const failedRoots = spans.filter((s) => s.name === 'scheduled run' && s.status.code === SpanStatusCode.ERROR);
    expect(failedRoots.map((s) => s.attributes['weather_landscape.zip']).sort()).toEqual([...refused].sort());
    expect(spans.filter((s) => s.name === 'send fetch-jobs' && s.status.code === SpanStatusCode.ERROR)).toHaveLength(1);
  });
});
