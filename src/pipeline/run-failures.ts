import type { Env } from '../env';
import type { Failure } from '../queue/consumer';
import { recordRunEvent } from '../storage/run-log';
import { recordZipFailure } from '../storage/zip-status';

/**
 * What a failed message leaves for people to see: the failure in the admin's run record (when the
 * message belongs to one), and, once it is dead-lettered, the ZIP's last failure for the image
 * route and /forecasts.
 */
export function recordRunFailure(env: Env): (failure: Failure) => Promise<void> {
  return async (failure) => {
    if (failure.letter) await recordZipFailure(env.WEATHER_IMAGES, failure.letter);
    const runId = typeof failure.body === 'object' && failure.body !== null ? (failure.body as { run_id?: unknown }).run_id : undefined;
    if (typeof runId !== 'string' || !/^[0-9a-f]{32}$/.test(runId)) return;
    await recordRunEvent(env.CONFIG, runId, {
      type: 'failed',
      stage: failure.queue,
      outcome: failure.outcome,
      error_type: failure.errorType,
      message: failure.message,
      attempts: failure.attempts,
    });
  };
}
