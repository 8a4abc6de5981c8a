import { context, propagation, trace } from '@opentelemetry/api';
import type { Env } from '../env';
import type { FetchJob } from '../messages/schemas';
import { sendMessage } from '../queue/producer';

export interface StartedRun {
  zip: string;
  /** Empty when tracing is off. */
  traceId: string;
  traceparent?: string;
}

/** Starts one pipeline run for a ZIP: a fetch job, under the caller's active trace. */
export async function startRun(env: Env, zip: string, trigger: FetchJob['trigger'], now = new Date()): Promise<StartedRun> {
  await sendMessage(env, 'fetch-jobs', { schema_version: 1, zip_code: zip, scheduled_at: now.toISOString(), trigger });
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const spanContext = trace.getActiveSpan()?.spanContext();
  console.info('run started', { zip, trigger });
  return { zip, traceId: carrier.traceparent && spanContext ? spanContext.traceId : '', traceparent: carrier.traceparent };
}
