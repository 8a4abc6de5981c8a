import type { Env } from '../env';
import { inScheduledRunSpan } from '../otel/schedule';
import { listActiveZips } from '../storage/zip-registry';
import { startRun } from './start-run';

/**
 * The cron: one run per active ZIP. Each ZIP's run is a trace of its own (so one slow ZIP's
 * waterfall is not buried in the others), linked to the cron invocation's span.
 */
export async function runScheduled(env: Env, now = new Date()): Promise<string[]> {
  const zips = await listActiveZips(env.CONFIG);
  const results = await Promise.allSettled(zips.map((zip) => inScheduledRunSpan(zip, () => startRun(env, zip, 'cron', { now }))));
  const failed = results.filter((r) => r.status === 'rejected');
  for (const failure of failed) console.error('scheduled run could not be enqueued', { action: 'error', error: String((failure as PromiseRejectedResult).reason) });
  console.info('scheduled runs enqueued', { action: 'schedule_runs', zips: zips.length, failed: failed.length });
  return zips;
}
