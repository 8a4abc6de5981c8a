import type { Env } from '../env';
import type { FetchJob } from '../messages/schemas';
import { inNewTraces } from '../otel';
import { sendBatches } from '../queue/batches';
import { sendMessages } from '../queue/producer';
import { activeZipPages } from '../storage/zip-registry';
import { ATTR_RUN_TRIGGER, ATTR_ZIP } from '../tracing/run-attributes';
import { fetchJob } from './start-run';

/**
 * How many `sendBatch` calls the cron keeps in flight. Six: a Worker invocation has at most six
 * outgoing connections waiting for a response at once, and the runtime holds any further one until
 * one of them answers (Cloudflare's Workers limits, "simultaneous open connections").
 */
export const MAX_BATCHES_IN_FLIGHT = 6;

export interface ScheduledSummary {
  /** Active ZIPs whose fetch job was sent. */
  enqueued: number;
  /** Active ZIPs whose fetch job could not be sent (each logged by name). */
  failed: string[];
}

/**
 * The cron: one run per active ZIP, read from the registry page by page and sent in batches that
 * fit one `sendBatch` (100 messages, 256 KB), a bounded number in flight: a few hundred ZIPs cost a
 * few subrequests, not one each. Each ZIP's run is a trace of its own (so one slow ZIP's waterfall
 * is not buried in the others), linked to the cron invocation's span and linked from the batch's
 * `send` span (src/otel/schedule.ts). A batch that cannot be sent fails only its own ZIPs: they are
 * logged by name and counted, and the other batches still go.
 * One log line per batch, not per ZIP: Workers Logs keeps at most 256 KB of log events per
 * invocation, and 10,000 lines of a run each (about 3 MB) would lose every line after the first
 * few hundred, the failures and the summary included.
 */
export async function runScheduled(env: Env, now = new Date()): Promise<ScheduledSummary> {
  const summary: ScheduledSummary = { enqueued: 0, failed: [] };
  const inFlight = new Set<Promise<void>>();
  for await (const zips of activeZipPages(env.CONFIG)) {
    const jobs = zips.map((zip) => fetchJob(zip, 'cron', { now }));
    for (const batch of sendBatches(jobs, (job) => job)) {
      if (inFlight.size >= MAX_BATCHES_IN_FLIGHT) await Promise.race(inFlight);
      const sending = sendRuns(env, batch, summary).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }
  }
  await Promise.all(inFlight);
  console.info('scheduled runs enqueued', { action: 'schedule_runs', zips: summary.enqueued + summary.failed.length, failed: summary.failed.length });
  return summary;
}

/** Sends one batch of fetch jobs; never rejects (a failure is logged with the batch's ZIPs and counted). */
async function sendRuns(env: Env, jobs: FetchJob[], summary: ScheduledSummary): Promise<void> {
  const zips = jobs.map((job) => job.zip_code);
  const roots = zips.map((zip) => ({ name: 'scheduled run', attributes: { [ATTR_ZIP]: zip, [ATTR_RUN_TRIGGER]: 'cron' } }));
  const { failure } = await inNewTraces(
    roots,
    'cron_invocation',
    async () => undefined,
    () => sendMessages(env, 'fetch-jobs', jobs),
  );
  if (failure) {
    summary.failed.push(...zips);
    console.error('scheduled runs could not be enqueued', { action: 'error', trigger: 'cron', zip_codes: zips, error: String(failure.error) });
  } else {
    summary.enqueued += zips.length;
    console.info('runs started', { action: 'enqueue_fetch_jobs', trigger: 'cron', zips: zips.length, first_zip: zips[0], last_zip: zips.at(-1) });
  }
}
