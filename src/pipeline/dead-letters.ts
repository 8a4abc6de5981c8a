import { trace, TraceFlags } from '@opentelemetry/api';
import type { Env } from '../env';
import { DeadLetter } from '../messages/dead-letter';
import { PermanentError } from '../queue/errors';
import type { MessageInfo } from '../queue/consumer';
import { sendMessage } from '../queue/producer';
import { isQueueName, QUEUES, type QueueBody } from '../queue/queues';
import { deleteDeadLetter, getDeadLetter, storeDeadLetter } from '../storage/dead-letter-store';
import { openRunRecord } from './start-run';

/**
 * A message arriving on `<queue>-dlq`: either our own dead letter (sent by the consumer with the
 * reason) or, after `max_retries` failed deliveries the consumer could not settle (a crash, a
 * timeout), the original body dead-lettered by the runtime itself. Both are kept for the admin.
 */
export async function recordDeadLetter(env: Env, dlqName: string, body: unknown, info: MessageInfo, now = new Date()): Promise<string> {
  const ours = DeadLetter.safeParse(body);
  const { traceId, spanId } = info.span.spanContext();
  const letter: DeadLetter = ours.success
    ? ours.data
    : {
        schema_version: 1,
        queue: dlqName.replace(/-dlq$/, ''),
        message_id: info.id,
        attempts: info.attempts,
        reason: 'dead-lettered by the runtime after max_retries failed deliveries (the consumer crashed or timed out)',
        error_type: 'runtime_dead_letter',
        trace_id: traceId,
        span_id: spanId,
        dead_lettered_at: now.toISOString(),
        body,
      };
  const id = await storeDeadLetter(env.CONFIG, letter);
  console.warn('dead letter recorded', { id, queue: letter.queue, error_type: letter.error_type, reason: letter.reason, original_trace_id: letter.trace_id });
  return id;
}

export class ReplayError extends PermanentError {}

/**
 * Sends a dead letter's body back to its queue, in the current trace, linked to the trace in
 * which it failed. A replay is a person's action, so it is a new run with a record of its own
 * (the admin follows it in the run view). The dead letter is deleted only once the message is sent.
 */
export async function replayDeadLetter(env: Env, id: string): Promise<{ queue: string; message_id: string; run_id: string }> {
  const letter = await getDeadLetter(env.CONFIG, id);
  if (!letter) throw new ReplayError(`no dead letter ${id}`, 'not_found');
  if (!isQueueName(letter.queue)) throw new ReplayError(`cannot replay into unknown queue ${letter.queue}`, 'unknown_queue');
  const parsed = QUEUES[letter.queue].schema.safeParse(letter.body);
  if (!parsed.success) throw new ReplayError(`the body still fails the ${letter.queue} schema; it cannot be replayed as it is`, 'invalid_message');
  trace.getActiveSpan()?.addLink({
    context: { traceId: letter.trace_id, spanId: letter.span_id, traceFlags: TraceFlags.SAMPLED, isRemote: true },
    attributes: { 'weather_landscape.link': 'replay_of_dead_letter', 'weather_landscape.dead_letter.id': id },
  });
  const body = parsed.data as QueueBody<typeof letter.queue>;
  const runId = await openRunRecord(env, body.zip_code, 'replay');
  await sendMessage(env, letter.queue, { ...body, run_id: runId });
  await deleteDeadLetter(env.CONFIG, id);
  console.info('dead letter replayed', { id, queue: letter.queue, original_trace_id: letter.trace_id, run_id: runId });
  return { queue: letter.queue, message_id: letter.message_id, run_id: runId };
}
