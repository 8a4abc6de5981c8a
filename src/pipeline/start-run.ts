import type { Env } from '../env';
import type { FetchJob } from '../messages/schemas';
import { activeTraceparent } from '../otel';
import { sendMessage } from '../queue/producer';
import { recordRunStarted } from '../storage/run-log';

export interface StartedRun {
  zip: string;
  /** Empty when tracing is off. */
  traceId: string;
  traceparent?: string;
  /** Whether the trace is head-sampled, so exported whole: only then may a link to it be handed out. */
  sampled: boolean;
  /** The run record's id (admin runs only): the trace id, or a random id when tracing is off. */
  runId?: string;
}

function randomRunId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

/** How a run was asked for: the caller's request id (a valid `X-Request-ID`), and the time. */
export interface RunRequest {
  requestId?: string;
  now?: Date;
}

/**
 * Opens the run record of a run a person started (an admin click, a replay): its id is the active
 * trace id, so the run view links to the trace (unless it is not sampled), or a random one when no
 * trace is propagated.
 */
export async function openRunRecord(env: Env, zip: string, trigger: FetchJob['trigger'], { requestId, now = new Date() }: RunRequest = {}): Promise<string> {
  const traced = activeTraceparent();
  const runId = traced?.traceId || randomRunId();
  await recordRunStarted(env.CONFIG, runId, { zip, trigger, request_id: requestId, sampled: traced?.sampled }, now);
  return runId;
}

/** The fetch job that starts a run of `zip`. */
export function fetchJob(zip: string, trigger: FetchJob['trigger'], { runId, requestId, now = new Date() }: RunRequest & { runId?: string }): FetchJob {
  return { schema_version: 1, zip_code: zip, scheduled_at: now.toISOString(), trigger, run_id: runId, ...(requestId ? { request_id: requestId } : {}) };
}

/** Starts one pipeline run for a ZIP: a fetch job, under the caller's active trace. */
export async function startRun(env: Env, zip: string, trigger: FetchJob['trigger'], { requestId, now = new Date() }: RunRequest = {}): Promise<StartedRun> {
  const traced = activeTraceparent();
  const traceId = traced?.traceId ?? '';
  // Only runs a person started get a run record: the cron would cost KV writes nobody reads.
  const runId = trigger === 'admin' ? await openRunRecord(env, zip, trigger, { requestId, now }) : undefined;
  await sendMessage(env, 'fetch-jobs', fetchJob(zip, trigger, { runId, requestId, now }));
  console.info('run started', { action: 'enqueue_fetch_job', zip_code: zip, trigger, run_id: runId });
  return { zip, traceId, traceparent: traced?.traceparent, sampled: traced?.sampled ?? false, runId };
}
