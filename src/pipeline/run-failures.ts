import { isFormatName } from '../domain/formats';
import type { Env } from '../env';
import type { Failure } from '../queue/consumer';
import { appendRunFailure } from '../storage/run-log';
import { recordZipFailure } from '../storage/zip-status';

/**
 * What a failed message leaves for people to see: the failure in the admin's run record (when the
 * message belongs to one), and, once it is dead-lettered, the ZIP's last failure for the image
 * route and /forecasts.
 */
export function recordRunFailure(env: Env): (failure: Failure) => Promise<void> {
  return async (failure) => {
    if (failure.letter) await recordZipFailure(env.WEATHER_IMAGES, failure.letter);
    const body = typeof failure.body === 'object' && failure.body !== null ? (failure.body as { run_id?: unknown; format_name?: unknown }) : {};
    const runId = body.run_id;
    if (typeof runId !== 'string' || !/^[0-9a-f]{32}$/.test(runId)) return;
    // A landscape job's failures go under its format: the jobs of one run fail concurrently.
    const format = failure.queue === 'landscape-jobs' && isFormatName(body.format_name) ? body.format_name : undefined;
    await appendRunFailure(
      env.CONFIG,
      runId,
      { stage: failure.queue, outcome: failure.outcome, error_type: failure.errorType, message: failure.message, attempts: failure.attempts },
      format,
    );
  };
}
