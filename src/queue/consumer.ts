import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { z } from 'zod';
import { requireBinding, type Env } from '../env';
import { runtimeMessage } from '../otel/instrument';
import { extractCarrier, withCarrier } from '../otel/queue-carrier';
import {
  ATTR_CF_QUEUES_CARRIER_REASON,
  ATTR_CF_QUEUES_CARRIER_STATUS,
  ATTR_CF_QUEUES_DEAD_LETTER_REASON,
  ATTR_CF_QUEUES_MESSAGE_ATTEMPTS,
  ATTR_CF_QUEUES_OUTCOME,
  ATTR_CF_QUEUES_RETRY_DELAY,
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES,
  type MessageOutcome,
} from '../otel/messaging-attributes';
import { DeadLetter } from '../messages/dead-letter';
import { recordRunEvent } from '../storage/run-log';
import { recordZipFailure } from '../storage/zip-status';
import { classifyError } from './errors';
import { MAX_DELIVERY_ATTEMPTS, retryDelaySeconds } from './retry-policy';

const tracer = () => trace.getTracer('weather-landscape.queue');

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
}

export interface BatchResult {
  acked: number;
  retried: number;
  deadLettered: number;
}

/**
 * The one place where a queue batch is consumed. For each message: extract its trace carrier,
 * run a CONSUMER span `process <queue>` under the producer's context, validate the body against
 * the queue's schema, run the handler, then ack, retry with backoff, or dead-letter with the
 * reason. Messages are independent: one failure never affects the others, and this function
 * never throws, so the runtime never retries a whole batch.
 */
export async function consumeBatch<T>(
  batch: MessageBatch<unknown>,
  env: Env,
  queue: ConsumedQueue<T>,
  handle: MessageHandler<T>,
): Promise<BatchResult> {
  const result: BatchResult = { acked: 0, retried: 0, deadLettered: 0 };
  const batchSpan = trace.getActiveSpan();
  await Promise.all(
    batch.messages.map(async (message) => {
      const outcome = await consumeMessage(runtimeMessage(message), env, queue, handle, batchSpan);
      if (outcome === 'ack') result.acked++;
      else if (outcome === 'retry') result.retried++;
      else result.deadLettered++;
    }),
  );
  batchSpan?.setAttributes({
    'messaging.cloudflare_queues.batch.acked': result.acked,
    'messaging.cloudflare_queues.batch.retried': result.retried,
    'messaging.cloudflare_queues.batch.dead_lettered': result.deadLettered,
  });
  return result;
}

async function consumeMessage<T>(
  message: Message<unknown>,
  env: Env,
  queue: ConsumedQueue<T>,
  handle: MessageHandler<T>,
  batchSpan: Span | undefined,
): Promise<MessageOutcome> {
  const extracted = extractCarrier(message.body);
  if (extracted.producer) batchSpan?.addLink({ context: extracted.producer });
  const attributes = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES,
    [ATTR_MESSAGING_DESTINATION_NAME]: queue.name,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_MESSAGE_ID]: message.id,
    [ATTR_CF_QUEUES_MESSAGE_ATTEMPTS]: message.attempts,
    ...(extracted.status === 'valid'
      ? {}
      : { [ATTR_CF_QUEUES_CARRIER_STATUS]: extracted.status, [ATTR_CF_QUEUES_CARRIER_REASON]: extracted.reason ?? '' }),
  };
  const span = tracer().startSpan(`process ${queue.name}`, { kind: SpanKind.CONSUMER, attributes }, extracted.parent);
  return context.with(trace.setSpan(extracted.parent, span), async () => {
    let outcome: MessageOutcome;
    try {
      outcome = await runHandler(message, extracted.body, env, queue, handle, span);
    } catch (error) {
      // Only a failure of the settling itself lands here (e.g. the DLQ send failed): retry is the safe fate.
      console.error('queue message could not be settled; retrying it', { queue: queue.name, message_id: message.id, error: String(error) });
      message.retry();
      outcome = 'retry';
    }
    span.setAttribute(ATTR_CF_QUEUES_OUTCOME, outcome);
    span.end();
    return outcome;
  });
}

async function runHandler<T>(
  message: Message<unknown>,
  body: unknown,
  env: Env,
  queue: ConsumedQueue<T>,
  handle: MessageHandler<T>,
  span: Span,
): Promise<MessageOutcome> {
  const parsed = queue.schema.safeParse(body);
  if (!parsed.success) {
    const reason = `invalid ${queue.name} message: ${summarizeIssues(parsed.error)}`;
    return deadLetter(message, body, env, queue.name, span, reason, 'invalid_message');
  }
  try {
    await handle(parsed.data, { id: message.id, attempts: message.attempts, timestamp: message.timestamp, span });
    message.ack();
    return 'ack';
  } catch (error) {
    const failure = classifyError(error);
    span.recordException(error instanceof Error ? error : new Error(failure.message));
    if (failure.permanent) return deadLetter(message, body, env, queue.name, span, failure.message, failure.errorType);
    if (message.attempts >= MAX_DELIVERY_ATTEMPTS) {
      const reason = `gave up after ${message.attempts} attempts: ${failure.message}`;
      return deadLetter(message, body, env, queue.name, span, reason, failure.errorType);
    }
    const delaySeconds = retryDelaySeconds(message.attempts, failure.retryAfterSeconds);
    span.setAttributes({ [ATTR_ERROR_TYPE]: failure.errorType, [ATTR_CF_QUEUES_RETRY_DELAY]: delaySeconds });
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
    console.warn('queue message failed; retrying', {
      queue: queue.name,
      message_id: message.id,
      attempts: message.attempts,
      delay_seconds: delaySeconds,
      error_type: failure.errorType,
      error: failure.message,
    });
    await recordFailure(env, body, queue.name, 'retry', failure.errorType, failure.message, message.attempts);
    message.retry({ delaySeconds });
    return 'retry';
  }
}

async function deadLetter(
  message: Message<unknown>,
  body: unknown,
  env: Env,
  queue: string,
  span: Span,
  reason: string,
  errorType: string,
): Promise<MessageOutcome> {
  span.setAttributes({ [ATTR_ERROR_TYPE]: errorType, [ATTR_CF_QUEUES_DEAD_LETTER_REASON]: reason });
  span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
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
    body: boundedBody(body),
  };
  // Sent before the ack: if this send fails, the caller retries the message and nothing is lost.
  await requireBinding(env, 'DEAD_LETTERS').send(withCarrier(letter));
  await recordFailure(env, body, queue, 'dead_letter', errorType, reason, message.attempts);
  await recordZipFailure(env.CONFIG, letter);
  console.error('queue message dead-lettered', { queue, message_id: message.id, attempts: message.attempts, error_type: errorType, reason });
  message.ack();
  return 'dead_letter';
}

/**
 * A queue message holds at most 128 KB, so a dead letter around a body near that size would never
 * be sent (and the message retried in vain until the runtime dropped its reason). Such a body is
 * kept as its size and the start of its JSON.
 */
const MAX_DEAD_LETTER_BODY_BYTES = 120_000;
const TRUNCATED_PREVIEW_CHARS = 1_000;

function boundedBody(body: unknown): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(body);
  } catch {
    return body;
  }
  if (json === undefined) return body;
  const bytes = new TextEncoder().encode(json).byteLength;
  if (bytes <= MAX_DEAD_LETTER_BODY_BYTES) return body;
  return { truncated: true, original_bytes: bytes, preview: json.slice(0, TRUNCATED_PREVIEW_CHARS) };
}

/** Adds the failure to the admin's run record, when the message belongs to one. Never throws. */
async function recordFailure(env: Env, body: unknown, stage: string, outcome: 'retry' | 'dead_letter', errorType: string, message: string, attempts: number) {
  const runId = typeof body === 'object' && body !== null ? (body as { run_id?: unknown }).run_id : undefined;
  if (typeof runId !== 'string' || !/^[0-9a-f]{32}$/.test(runId) || !env.CONFIG) return;
  await recordRunEvent(env.CONFIG, runId, { type: 'failed', stage, outcome, error_type: errorType, message, attempts }).catch((error) =>
    console.warn('run record not updated', { run_id: runId, error: String(error) }),
  );
}

function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
}
