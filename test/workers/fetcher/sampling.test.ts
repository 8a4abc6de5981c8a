import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { receivedSpans } from '../control';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/fetcher';
import { recordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import type { Env } from '../../../src/env';

/**
 * Errors are never sampled away: with head sampling at 0, a run that fails still exports the spans
 * of the invocation where it failed (marked as kept for an error); a healthy run exports nothing.
 * The job has no carrier, so its message starts a new trace and the ratio decides.
 */
const job = (zip: string) => ({ schema_version: 1, zip_code: zip, scheduled_at: '2026-06-21T12:00:00.000Z', trigger: 'cron' });

async function runUnsampled(zip: string) {
  const deadLetters = recordingQueue(env.DEAD_LETTERS);
  const testEnv = { ...env, OTEL_TRACES_SAMPLER_ARG: '0', WEATHER_READY: recordingQueue(env.WEATHER_READY), DEAD_LETTERS: deadLetters } as unknown as Env;
  const result = await deliverBatch(worker, 'fetch-jobs', [{ body: job(zip) }], testEnv);
  return { result, deadLetters };
}

describe('sampling ratio 0', () => {
  // The receiver is shared with the project's other files, which run at the same time: each test
  // has a ZIP of its own and reads only the spans of that ZIP's run.
  beforeEach(() => memoryExporter.reset());

  it("exports the failing invocation's spans with the error: an unknown ZIP, dead-lettered", async () => {
    const zip = '00417'; // unknown to the stub, and used by no other test
    const { deadLetters } = await runUnsampled(zip);
    expect(deadLetters.sent).toHaveLength(1);
    const exported = await receivedSpans();
    const process = exported.find((s) => s.name === 'process fetch-jobs' && s.attributes['weather_landscape.zip'] === zip);
    expect(process).toBeDefined();
    expect(process!.status).toMatchObject({ code: 'ERROR' });
    expect(process!.attributes).toMatchObject({
      'messaging.cloudflare_queues.outcome': 'dead_letter',
      'error.type': 'UnknownZipError',
      'weather_landscape.zip': zip,
      'weather_landscape.sampling.kept_for_error': true,
    });
    // The story is in the span: the exception and the dead-letter decision as events.
    expect(process!.events.map((e) => e.name)).toEqual(expect.arrayContaining(['exception', 'queue message dead-lettered']));
    // The whole invocation's part of the trace goes, not only the failed span.
    const names = exported.filter((s) => s.traceId === process!.traceId).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['GET /v1/search', 'send fetch-jobs-dlq', 'process fetch-jobs']));
    for (const span of exported.filter((s) => s.traceId === process!.traceId)) expect(span.attributes['weather_landscape.sampling.kept_for_error']).toBe(true);
  });

  it('exports nothing for the same run with a known ZIP', async () => {
    const zip = '79417'; // a place the stub knows, used by no other test
    const { result } = await runUnsampled(zip);
    expect(result.explicitAcks).toEqual(['m0']);
    expect(memoryExporter.getFinishedSpans()).toEqual([]);
    expect((await receivedSpans()).filter((s) => s.attributes['weather_landscape.zip'] === zip)).toEqual([]);
  });
});
