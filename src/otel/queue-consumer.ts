import { context, INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { ATTR_FAAS_INVOCATION_ID } from '@opentelemetry/semantic-conventions/incubating';
import {
  ATTR_CF_QUEUES_CARRIER_REASON,
  ATTR_CF_QUEUES_CARRIER_STATUS,
  ATTR_CF_QUEUES_DEAD_LETTER_REASON,
  ATTR_CF_QUEUES_MESSAGE_ATTEMPTS,
  ATTR_CF_QUEUES_MESSAGE_QUEUE_TIME,
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
} from './messaging-attributes';
import { layered } from './layered-context';
import { extractCarrier, withoutCarrier } from './queue-carrier';
import { attributesOfBody, setContextAttributes } from './context-attributes';
import { keepAsFailureRecord } from './span-processor';
import { recordError, tracerFor } from './spans';
import { tracingActive } from './tracer';

export interface ProcessSpan {
  span: Span;
  /** The body without its trace carrier: what application code sees. */
  body: unknown;
  /** Run the message's work in this context: the span active, the body's context attributes on every child. */
  context: Context;
}

/**
 * Starts the CONSUMER span `process <queue>` of one message, as a child of the producer span
 * whose context the body carries (a new trace when the carrier is missing or invalid): each
 * delivery of a retried message is one such span, all under the same producer span. It carries the
 * delivery attempt, how long the message waited since it was sent, and the invocation id that
 * otel-cf-workers' per-invocation batch span (never exported, see span-processor.ts) would have
 * shown. Not the batch size: the conventions keep `messaging.batch.message_count` off spans of
 * one message, and the invocation's `queue batch settled` log line has it.
 */
export interface ProcessSpanOptions {
  /**
   * The queue's messages are records of failures (a dead-letter queue): each one's span counts as a
   * failure for the error rule (span-processor.ts), so an unsampled failed run still shows where it
   * ended, though recording it went well.
   */
  recordsFailures?: boolean;
}

export function startProcessSpan(message: Message<unknown>, queueName: string, { recordsFailures = false }: ProcessSpanOptions = {}): ProcessSpan {
  const active = context.active();
  // Tracing switched off: only what the application sees, the body without its carrier.
  if (!tracingActive()) return { span: NOT_RECORDED, body: withoutCarrier(message.body), context: active };
  const invocationId = trace.getSpan(active)?.spanContext().spanId;
  const extracted = extractCarrier(message.body, trace.deleteSpan(layered(active)));
  const run = attributesOfBody(extracted.body);
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES,
    [ATTR_MESSAGING_DESTINATION_NAME]: queueName,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_MESSAGE_ID]: message.id,
    [ATTR_CF_QUEUES_MESSAGE_ATTEMPTS]: message.attempts,
    [ATTR_CF_QUEUES_MESSAGE_QUEUE_TIME]: queueTimeMs(message.timestamp),
  };
  if (invocationId) attributes[ATTR_FAAS_INVOCATION_ID] = invocationId;
  if (extracted.status !== 'valid') attributes[ATTR_CF_QUEUES_CARRIER_STATUS] = extracted.status;
  if (extracted.reason) attributes[ATTR_CF_QUEUES_CARRIER_REASON] = extracted.reason;
  Object.assign(attributes, run);
  const parent = setContextAttributes(extracted.parent, run);
  const span = tracerFor('queue').startSpan(`process ${queueName}`, { kind: SpanKind.CONSUMER, attributes }, parent);
  if (recordsFailures) keepAsFailureRecord(span);
  return { span, body: extracted.body, context: trace.setSpan(parent, span) };
}

/** The span of a message processed with tracing switched off: records nothing, as the API's no-op tracer's spans. */
const NOT_RECORDED = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Milliseconds from the message's send (`message.timestamp`, kept across redeliveries) to now. Both
 * are wall-clock times; workerd's clock stands still during CPU work, so "now" is when this
 * invocation's last I/O ended, which at the start of processing is the delivery. Clocks of two
 * machines can disagree by a little: a send time "in the future" counts as no wait at all.
 */
function queueTimeMs(sentAt: Date): number {
  return Math.max(0, Date.now() - sentAt.getTime());
}

/** The message will be retried: why, and after how long. */
export function markRetry(span: Span, errorType: string, message: string, delaySeconds: number): void {
  span.setAttributes({ [ATTR_ERROR_TYPE]: errorType, [ATTR_CF_QUEUES_RETRY_DELAY]: delaySeconds });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** The message goes to the dead-letter queue: why. */
export function markDeadLetter(span: Span, errorType: string, reason: string): void {
  span.setAttributes({ [ATTR_ERROR_TYPE]: errorType, [ATTR_CF_QUEUES_DEAD_LETTER_REASON]: reason });
  span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
}

export function endProcessSpan(span: Span, outcome: MessageOutcome): void {
  span.setAttribute(ATTR_CF_QUEUES_OUTCOME, outcome);
  span.end();
}

/**
 * One message's work in its `process <queue>` span, for a consumer that settles each message
 * itself: `fn` gets the body without its carrier and runs with the span active (its logs and child
 * spans belong to the message's trace), and says what it did with the message (it calls
 * `message.ack()` or `message.retry()` itself). A throw is recorded on the span, which ends with the
 * outcome `retry` (the runtime retries a message a handler neither acked nor retried), and is
 * rethrown.
 */
export function inProcessSpan(
  message: Message<unknown>,
  queueName: string,
  fn: (body: unknown, span: Span) => Promise<MessageOutcome>,
  options: ProcessSpanOptions = {},
): Promise<MessageOutcome> {
  const processing = startProcessSpan(message, queueName, options);
  return context.with(processing.context, async () => {
    let outcome: MessageOutcome = 'retry';
    try {
      outcome = await fn(processing.body, processing.span);
      return outcome;
    } catch (error) {
      recordError(processing.span, error);
      throw error;
    } finally {
      endProcessSpan(processing.span, outcome);
    }
  });
}

/**
 * Runs `fn` (a batch summary log line) outside the invocation's batch span, which is never
 * exported: the line carries the invocation id the messages' spans carry instead of a trace id
 * that leads nowhere.
 */
export function outsideBatchSpan<T>(fn: (invocationId: string | undefined) => T): T {
  const active = context.active();
  const invocationId = trace.getSpan(active)?.spanContext().spanId;
  return context.with(trace.deleteSpan(active), () => fn(invocationId));
}
