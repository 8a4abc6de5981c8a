import { context, type Span } from '@opentelemetry/api';
import type { z } from 'zod';
import { requireBinding, type Env } from '../env';
import { DeadLetter, deadLetterBody } from '../messages/dead-letter';
import { asError, endProcessSpan, markDeadLetter, markRetry, outsideBatchSpan, recordError, startProcessSpan, type MessageOutcome } from '../otel';
import { mapLimit } from '../concurrency';
import { classifyError } from './errors';
import { MAX_DELIVERY_ATTEMPTS, retryDelaySeconds } from './retry-policy';

export interface MessageInfo {
  id: string;
  attempts: number;
  timestamp: Date;
  /** The CONSUMER span of this message, for handlers that add attributes. */
  span: Span;
}

export type MessageHandler<T> = (body: T, message: MessageInfo) => Promise<void>;

/** What a consumer needs to know of the queue it reads: its name and the schema its bodies must pass. */
export interface ConsumedQueue<T> {
  name: string;
  schema: z.ZodType<T>;
  /** A dead-letter queue: its messages end failed runs, so their traces are kept like failures (queue-consumer.ts). */
  recordsFailures?: boolean;
}

/** A message that failed: told to the caller (e.g. for the admin's run record) before it is settled. */
export interface Failure {
  queue: string;
  body: unknown;
  outcome: 'retry' | 'dead_letter';
  errorType: string;
  message: string;
  attempts: number;
  /** What was sent to the dead-letter queue, when the outcome is `dead_letter`. */
  letter?: DeadLetter;
}

export interface ConsumeOptions {
  /** Called for each failed message; must not throw (a throw is logged and ignored). */
  onFailure?: (failure: Failure) => Promise<void>;
  /**
   * How many of the batch's messages are worked on at once (default {@link MESSAGES_IN_FLIGHT}): a
   * whole number from 1; anything else is a bug of the caller and throws before any message is touched.
   */
  concurrency?: number;
}

/**
 * At most this many messages of a batch are in flight: as many as a production batch holds
 * (`max_batch_size = 10`), so a larger batch (Cloudflare allows 100) keeps no more messages' data
 * alive at once than a full production batch does. A 100-message batch with all of them in flight
 * cost the untraced dispatcher 36 µs of CPU a message more than with ten at a time, most of it the
 * garbage collector copying what was alive (bench/README.md, 2026-12-06).
 */
export const MESSAGES_IN_FLIGHT = 10;

export interface BatchResult {
  acked: number;
  retried: number;
  deadLettered: number;
}

/**
 * The one place where a queue batch is consumed. For each message: a CONSUMER span
 * `process <queue>` under the producer's context, the body validated against the queue's schema,
 * the handler run, then ack, retry with backoff, or dead-letter with the reason. Messages are
 * independent: one failure never affects the others, and no message makes this function throw, so
 * the runtime never retries a whole batch. Messages are taken in batch order, at most
 * `concurrency` ({@link MESSAGES_IN_FLIGHT}) at a time.
 */
export async function consumeBatch<T>(
  batch: MessageBatch<unknown>,
  env: Env,
  queue: ConsumedQueue<T>,
  handle: MessageHandler<T>,
  options: ConsumeOptions = {},
): Promise<BatchResult> {
  const result: BatchResult = { acked: 0, retried: 0, deadLettered: 0 };
  const outcomes = await mapLimit(batch.messages, options.concurrency ?? MESSAGES_IN_FLIGHT, (message) => consumeMessage(message, env, queue, handle, options));
  for (const outcome of outcomes) {
    if (outcome === 'ack') result.acked++;
    else if (outcome === 'retry') result.retried++;
    else result.deadLettered++;
  }
  outsideBatchSpan((invocationId) =>
    console.info('queue batch settled', { action: 'settle_batch', queue: queue.name, messages: batch.messages.length, ...result, invocation_id: invocationId }),
  );
  return result;
}

async function consumeMessage<T>(
  message: Message<unknown>,
  env: Env,
  queue: ConsumedQueue<T>,
  handle: MessageHandler<T>,
  options: ConsumeOptions,
): Promise<MessageOutcome> {
  const processing = startProcessSpan(message, queue.name, { recordsFailures: queue.recordsFailures });
  return context.with(processing.context, async () => {
    let outcome: MessageOutcome;
    try {
      outcome = await decideOutcome({ message, body: processing.body, env, queue, span: processing.span, options }, handle);
    } catch (error) {
      // Only a failure of the settling itself lands here (e.g. the DLQ send failed): retry is the safe fate.
      recordError(processing.span, error);
      console.error('queue message could not be settled; retrying it', { action: 'error', queue: queue.name, message_id: message.id, error: String(error) });
      message.retry();
      outcome = 'retry';
    }
    endProcessSpan(processing.span, outcome);
    return outcome;
  });
}

/** One message being settled: what every step of deciding its fate needs. */
interface Settling<T> {
  message: Message<unknown>;
  /** The body without the trace carrier, as the producer sent it. */
  body: unknown;
  env: Env;
  queue: ConsumedQueue<T>;
  /** The message's CONSUMER span. */
  span: Span;
  options: ConsumeOptions;
}

/** Why a message goes to the dead-letter queue. */
interface DeadLetterReason {
  reason: string;
  errorType: string;
}

/** Runs the handler on a valid body and settles the message: ack, retry with backoff, or dead-letter. */
async function decideOutcome<T>(settling: Settling<T>, handle: MessageHandler<T>): Promise<MessageOutcome> {
  const { message, queue, span } = settling;
  const parsed = queue.schema.safeParse(settling.body);
  if (!parsed.success) {
    return deadLetter(settling, { reason: `invalid ${queue.name} message: ${summarizeIssues(parsed.error)}`, errorType: 'invalid_message' });
  }
  try {
    await handle(parsed.data, { id: message.id, attempts: message.attempts, timestamp: message.timestamp, span });
    message.ack();
    return 'ack';
  } catch (error) {
    const failure = classifyError(error);
    span.recordException(asError(error));
    if (failure.permanent) return deadLetter(settling, { reason: failure.message, errorType: failure.errorType });
    if (message.attempts >= MAX_DELIVERY_ATTEMPTS) {
      return deadLetter(settling, { reason: `gave up after ${message.attempts} attempts: ${failure.message}`, errorType: failure.errorType });
    }
    const delaySeconds = retryDelaySeconds(message.attempts, failure.retryAfterSeconds);
    markRetry(span, failure.errorType, failure.message, delaySeconds);
    console.warn('queue message failed; retrying', {
      action: 'retry',
      queue: queue.name,
      message_id: message.id,
      attempts: message.attempts,
      delay_seconds: delaySeconds,
      error_type: failure.errorType,
      error: failure.message,
    });
    await notify(settling, { outcome: 'retry', errorType: failure.errorType, message: failure.message });
    message.retry({ delaySeconds });
    return 'retry';
  }
}

async function deadLetter<T>(settling: Settling<T>, { reason, errorType }: DeadLetterReason): Promise<MessageOutcome> {
  const { message, env, span } = settling;
  const queue = settling.queue.name;
  markDeadLetter(span, errorType, reason);
  const letter: DeadLetter = {
    schema_version: 1,
    queue,
    message_id: message.id,
    attempts: message.attempts,
    reason,
    error_type: errorType,
    trace_id: span.spanContext().traceId,
    span_id: span.spanContext().spanId,
    dead_lettered_at: new Date().toISOString(),
    // Any body, even one JSON cannot encode or one near the message size limit: the send cannot fail on it.
    ...deadLetterBody(settling.body),
  };
  // Sent before the ack: if this send fails, the caller retries the message and nothing is lost.
  await requireBinding(env, 'DEAD_LETTERS').send(letter);
  await notify(settling, { outcome: 'dead_letter', errorType, message: reason, letter });
  console.error('queue message dead-lettered', { action: 'error', queue, message_id: message.id, attempts: message.attempts, error_type: errorType, reason });
  message.ack();
  return 'dead_letter';
}

/** Tells the caller's `onFailure` of a failed message; its own failure is logged, never thrown. */
async function notify<T>(settling: Settling<T>, failure: Omit<Failure, 'queue' | 'body' | 'attempts'>): Promise<void> {
  const { onFailure } = settling.options;
  if (!onFailure) return;
  const queue = settling.queue.name;
  await onFailure({ ...failure, queue, body: settling.body, attempts: settling.message.attempts }).catch((error) =>
    console.warn('failure not recorded', { action: 'error', queue, error: String(error) }),
  );
}

function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
}
