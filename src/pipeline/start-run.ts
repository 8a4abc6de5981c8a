import { context, propagation, trace } from '@opentelemetry/api';
import type { Env } from '../env';
import type { FetchJob } from '../messages/schemas';
import { sendMessage } from '../queue/producer';
import { recordRunEvent } from '../storage/run-log';

export interface StartedRun {
  zip: string;
  /** Empty when tracing is off. */
  traceId: string;
  traceparent?: string;
  /** The run record's id (admin runs only): the trace id, or a random id when tracing is off. */
  runId?: string;
}

function randomRunId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

/**
 * Opens the run record of a run a person started (an admin click, a replay): its id is the active
 * trace id, so the run view links to the trace, or a random one when no trace is propagated.
 */
export async function openRunRecord(env: Env, zip: string, trigger: FetchJob['trigger'], now = new Date()): Promise<string> {
  const runId = propagatedTrace().traceId || randomRunId();
  await recordRunEvent(env.CONFIG, runId, { type: 'started', zip, trigger }, now);
  return runId;
}

/** The active trace as it travels on (traceparent), and its id; both empty when tracing is off. */
function propagatedTrace(): { traceId: string; traceparent?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const spanContext = trace.getActiveSpan()?.spanContext();
  return { traceId: carrier.traceparent && spanContext ? spanContext.traceId : '', traceparent: carrier.traceparent };
}

/** Starts one pipeline run for a ZIP: a fetch job, under the caller's active trace. */
export async function startRun(env: Env, zip: string, trigger: FetchJob['trigger'], now = new Date()): Promise<StartedRun> {
  const { traceId, traceparent } = propagatedTrace();
  // Only runs a person started get a run record: the cron would cost KV writes nobody reads.
  const runId = trigger === 'admin' ? await openRunRecord(env, zip, trigger, now) : undefined;
  await sendMessage(env, 'fetch-jobs', { schema_version: 1, zip_code: zip, scheduled_at: now.toISOString(), trigger, run_id: runId });
  console.info('run started', { zip, trigger, run_id: runId });
  return { zip, traceId, traceparent, runId };
}
