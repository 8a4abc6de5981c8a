import type { Env } from '../env';
import { SHORT_LIMITS } from '../messages/body-preview';
import { DeadLetter, deadLetterBody } from '../messages/dead-letter';
import { inNewTraces, linkActiveSpan } from '../otel';
import { ATTR_REQUEST_ID, ATTR_RUN_TRIGGER, ATTR_ZIP } from '../tracing/run-attributes';
import { PermanentError } from '../queue/errors';
import type { MessageInfo } from '../queue/consumer';
import { sendMessage, sendMessages } from '../queue/producer';
import { isQueueName, QUEUES, type QueueBody, type QueueName } from '../queue/queues';
import { sendBatches } from '../queue/batches';
import { MAX_DELIVERY_ATTEMPTS } from '../queue/retry-policy';
import { deleteDeadLetter, getDeadLetter, listDeadLetterIds, storeDeadLetter } from '../storage/dead-letter-store';
import { recordRunDispatched } from '../storage/run-log';
import { openRunRecord } from './start-run';

/**
 * A message arriving on `<queue>-dlq`: either our own dead letter (sent by the consumer with the
 * reason) or, after `max_retries` failed deliveries the consumer could not settle (a crash, a
 * timeout), the original body dead-lettered by the runtime itself, which may be anything a queue
 * carries. Both are kept for the admin, the body as it is when JSON holds it, else as a preview.
 *
 * The dead-letter queues have no dead-letter queue of their own, so a record that cannot be stored
 * is retried (the consumer's backoff) until the last delivery; that one falls back to a short
 * record (a small preview and the error), and only if KV refuses that too is the message dropped,
 * with one error line holding the preview.
 */
export async function recordDeadLetter(env: Env, dlqName: string, body: unknown, info: MessageInfo, now = new Date()): Promise<string | undefined> {
  const letter = deadLetterFrom(dlqName, body, info, now);
  try {
    const id = await storeDeadLetter(env.CONFIG, letter);
    console.warn('dead letter recorded', {
      action: 'record_dead_letter',
      id,
      queue: letter.queue,
      error_type: letter.error_type,
      reason: letter.reason,
      original_trace_id: letter.trace_id,
    });
    return id;
  } catch (error) {
    if (info.attempts < MAX_DELIVERY_ATTEMPTS) throw error;
    return recordLastResort(env, letter, body, error);
  }
}

function deadLetterFrom(dlqName: string, body: unknown, info: MessageInfo, now: Date): DeadLetter {
  const ours = DeadLetter.safeParse(body);
  if (ours.success) {
    // Sent as JSON, so already JSON-safe; bounded again all the same, and a preview stays a preview.
    const kept = deadLetterBody(ours.data.body);
    return { ...ours.data, ...kept, replayable: ours.data.replayable !== false && kept.replayable, body_notes: ours.data.body_notes ?? kept.body_notes };
  }
  const { traceId, spanId } = info.span.spanContext();
  return {
    schema_version: 1,
    queue: dlqName.replace(/-dlq$/, ''),
    message_id: info.id,
    attempts: info.attempts,
    reason: 'dead-lettered by the runtime after max_retries failed deliveries (the consumer crashed or timed out)',
    error_type: 'runtime_dead_letter',
    trace_id: traceId,
    span_id: spanId,
    dead_lettered_at: now.toISOString(),
    ...deadLetterBody(body),
  };
}

async function recordLastResort(env: Env, letter: DeadLetter, original: unknown, error: unknown): Promise<string | undefined> {
  const short = deadLetterBody(letter.replayable === false ? letter.body : original, SHORT_LIMITS);
  const recordError = errorText(error);
  const minimal: DeadLetter = {
    ...letter,
    reason: letter.reason.slice(0, 1_000),
    ...short,
    replayable: short.replayable === true && letter.replayable !== false,
    body_notes: [...(short.body_notes ?? []), 'short record: the full dead letter could not be stored'],
    record_error: recordError,
  };
  try {
    const id = await storeDeadLetter(env.CONFIG, minimal);
    console.error('dead letter recorded in short form', { action: 'error', id, queue: letter.queue, message_id: letter.message_id, record_error: recordError });
    return id;
  } catch (lastError) {
    // The runtime drops the message after this delivery whatever we answer: this line is what is left of it.
    console.error('dead letter lost: it could not be stored', {
      action: 'error',
      queue: letter.queue,
      message_id: letter.message_id,
      reason: minimal.reason,
      error_type: letter.error_type,
      record_error: String(lastError),
      body_preview: JSON.stringify(minimal.body),
    });
    return undefined;
  }
}

export class ReplayError extends PermanentError {}

/** Which stored dead letters a bulk replay takes: the oldest `limit`, of one queue or of all. */
export interface ReplayMany {
  queue?: QueueName;
  limit: number;
}

export interface Replayed {
  id: string;
  queue: string;
  message_id: string;
  run_id: string;
}

/**
 * Sends a dead letter's body back to its queue, in the current trace, linked to the trace in
 * which it failed. A replay is a person's action, so it is a new run with a record of its own
 * (the admin follows it in the run view), carrying the replay request's id (`requestId`) instead of
 * the original run's. The dead letter is deleted only once the message is sent.
 */
export async function replayDeadLetter(env: Env, id: string, requestId?: string): Promise<Omit<Replayed, 'id'>> {
  const { queue, body, letter } = replayable(await getDeadLetter(env.CONFIG, id), id);
  linkToFailure(letter, id);
  const message = await openReplayedRun(env, queue, body, requestId);
  await sendMessage(env, queue, message.body as never);
  return finishReplay(env, id, letter, message);
}

/**
 * Replays the oldest `limit` dead letters (of `queue`, or of every queue) in `sendBatch`es, each
 * replay a new run and a trace of its own: its root `replay run` (linked to this request's span
 * and to the trace it failed in) is its message's creation context, and each batch's `send` span
 * links to the roots it sent, as the cron does. A letter that cannot be replayed, or whose batch
 * the queue refuses, stays stored and is reported with its reason; the others still go.
 */
export async function replayDeadLetters(
  env: Env,
  { queue, limit }: ReplayMany,
  requestId?: string,
): Promise<{ replayed: Replayed[]; failed: Array<{ id: string; error: string }>; remaining: number }> {
  const ids = await listDeadLetterIds(env.CONFIG, queue);
  const taken = ids.slice(0, limit);
  const letters = await Promise.all(taken.map(async (id) => ({ id, letter: await getDeadLetter(env.CONFIG, id) })));
  const replayed: Replayed[] = [];
  const failed: Array<{ id: string; error: string }> = [];
  const byQueue = new Map<QueueName, Array<{ id: string; body: QueueBody<QueueName>; letter: DeadLetter }>>();
  for (const { id, letter } of letters) {
    try {
      const valid = replayable(letter, id);
      const entries = byQueue.get(valid.queue) ?? [];
      entries.push({ id, ...valid });
      byQueue.set(valid.queue, entries);
    } catch (error) {
      failed.push({ id, error: errorText(error) });
    }
  }
  for (const [target, entries] of byQueue) {
    for (const batch of sendBatches(entries, (entry) => entry.body)) {
      const roots = batch.map(({ body }) => ({
        name: 'replay run',
        attributes: { [ATTR_ZIP]: body.zip_code, [ATTR_RUN_TRIGGER]: 'replay', ...(requestId ? { [ATTR_REQUEST_ID]: requestId } : {}) },
      }));
      const { prepared, failure } = await inNewTraces(
        roots,
        'replay_request',
        (i) => {
          linkToFailure(batch[i].letter, batch[i].id);
          return openReplayedRun(env, target, batch[i].body, requestId);
        },
        (messages) => sendMessages(env, target, messages.map((m) => m.body) as never),
      );
      const sent: Array<Promise<Replayed>> = [];
      for (const [i, result] of prepared.entries()) {
        const { id, letter } = batch[i];
        if (result.status === 'rejected') failed.push({ id, error: errorText(result.reason) });
        else if (failure) failed.push({ id, error: errorText(failure.error) });
        else sent.push(finishReplay(env, id, letter, result.value).then((done) => ({ id, ...done })));
      }
      // The batch's records are deleted together, not one KV call after another.
      replayed.push(...(await Promise.all(sent)));
    }
  }
  if (failed.length > 0)
    console.error('dead letters not replayed', {
      action: 'error',
      trigger: 'replay',
      ids: failed.map((f) => f.id),
      errors: [...new Set(failed.map((f) => f.error))].slice(0, 5),
    });
  return { replayed, failed, remaining: ids.length - replayed.length };
}

const errorText = (error: unknown) => String(error instanceof Error ? error.message : error).slice(0, 500);

/** The letter's queue and body, if it can be replayed as it is; a ReplayError saying why not otherwise. */
function replayable(letter: DeadLetter | undefined, id: string): { queue: QueueName; body: QueueBody<QueueName>; letter: DeadLetter } {
  if (!letter) throw new ReplayError(`no dead letter ${id}`, 'not_found');
  if (letter.replayable === false) {
    throw new ReplayError(
      `dead letter ${id} keeps only a preview of its body (${(letter.body_notes ?? []).slice(0, 3).join('; ') || 'not plain JSON'}); it cannot be replayed`,
      'not_replayable',
    );
  }
  if (!isQueueName(letter.queue)) throw new ReplayError(`cannot replay into unknown queue ${letter.queue}`, 'unknown_queue');
  const parsed = QUEUES[letter.queue].schema.safeParse(letter.body);
  if (!parsed.success) throw new ReplayError(`the body still fails the ${letter.queue} schema; it cannot be replayed as it is`, 'invalid_message');
  return { queue: letter.queue, body: parsed.data, letter };
}

/** Links the active span (the replay request, or a replay run's root) to the span the letter failed in. */
function linkToFailure(letter: DeadLetter, id: string): void {
  linkActiveSpan(letter.trace_id, letter.span_id, { 'weather_landscape.link': 'replay_of_dead_letter', 'weather_landscape.dead_letter.id': id });
}

/**
 * Opens the replayed run's record in the active trace (a replayed run is a new run: its own
 * record, trigger `replay`, the replay request's id instead of the original run's) and gives the
 * body to send.
 */
async function openReplayedRun(
  env: Env,
  queue: QueueName,
  body: QueueBody<QueueName>,
  requestId?: string,
): Promise<{ body: QueueBody<QueueName>; runId: string }> {
  const runId = await openRunRecord(env, body.zip_code, 'replay', { requestId });
  // A replayed landscape job skips the dispatcher: its record says which image the run view awaits.
  if (queue === 'landscape-jobs') {
    const job = body as QueueBody<'landscape-jobs'>;
    await recordRunDispatched(env.CONFIG, runId, { weather_fetched_at: job.fetched_at, provider: job.forecast?.source.provider, formats: [job.format_name] });
  }
  const { request_id: _original, ...rest } = body;
  return { runId, body: { ...rest, run_id: runId, ...(requestId ? { request_id: requestId } : {}), trigger: 'replay' } as QueueBody<QueueName> };
}

/** Once its message is sent: the dead letter is deleted, and the replay logged. */
async function finishReplay(env: Env, id: string, letter: DeadLetter, message: { body: QueueBody<QueueName>; runId: string }): Promise<Omit<Replayed, 'id'>> {
  await deleteDeadLetter(env.CONFIG, id);
  console.info('dead letter replayed', {
    action: 'replay_dead_letter',
    id,
    queue: letter.queue,
    original_trace_id: letter.trace_id,
    zip_code: message.body.zip_code,
    run_id: message.runId,
    trigger: 'replay',
  });
  return { queue: letter.queue, message_id: letter.message_id, run_id: message.runId };
}
