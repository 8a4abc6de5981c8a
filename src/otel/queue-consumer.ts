import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { ATTR_FAAS_INVOCATION_ID } from '@opentelemetry/semantic-conventions/incubating';
import {
  ATTR_CF_QUEUES_CARRIER_REASON,
  ATTR_CF_QUEUES_CARRIER_STATUS,
  ATTR_CF_QUEUES_DEAD_LETTER_REASON,
  ATTR_CF_QUEUES_MESSAGE_ATTEMPTS,
  ATTR_CF_QUEUES_OUTCOME,
  ATTR_CF_QUEUES_RETRY_DELAY,
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES,
  type MessageOutcome,
} from './messaging-attributes';
import { extractCarrier } from './queue-carrier';
import { runAttributesOfBody, withRunAttributes } from './run-attributes';
import { tracerFor } from './spans';

export interface ProcessSpan {
  span: Span;
  /** The body without its trace carrier: what application code sees. */
  body: unknown;
  /** Run the message's work in this context: the span active, the run's words on every child. */
  context: Context;
}

/**
 * Starts the CONSUMER span `process <queue>` of one message, as a child of the producer span
 * whose context the body carries (a new trace when the carrier is missing or invalid). It also
 * carries what otel-cf-workers' per-invocation batch span knew, since that span is not exported
 * (see span-processor.ts): the batch size and the invocation id shared by all its messages.
 */
export function startProcessSpan(message: Message<unknown>, queueName: string, batchSize: number): ProcessSpan {
  const active = context.active();
  const invocationId = trace.getSpan(active)?.spanContext().spanId;
  const extracted = extractCarrier(message.body, trace.deleteSpan(active));
  const run = runAttributesOfBody(extracted.body);
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES,
    [ATTR_MESSAGING_DESTINATION_NAME]: queueName,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_MESSAGE_ID]: message.id,
    [ATTR_CF_QUEUES_MESSAGE_ATTEMPTS]: message.attempts,
    [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: batchSize,
    ...(invocationId ? { [ATTR_FAAS_INVOCATION_ID]: invocationId } : {}),
    ...(extracted.status === 'valid' ? {} : { [ATTR_CF_QUEUES_CARRIER_STATUS]: extracted.status }),
    ...(extracted.reason ? { [ATTR_CF_QUEUES_CARRIER_REASON]: extracted.reason } : {}),
    ...run,
  };
  const parent = withRunAttributes(extracted.parent, run);
  const span = tracerFor('queue').startSpan(`process ${queueName}`, { kind: SpanKind.CONSUMER, attributes }, parent);
  return { span, body: extracted.body, context: trace.setSpan(parent, span) };
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
 * Runs `fn` (a batch summary log line) outside the invocation's batch span, which is never
 * exported: the line carries the invocation id the messages' spans carry instead of a trace id
 * that leads nowhere.
 */
export function outsideBatchSpan<T>(fn: (invocationId: string | undefined) => T): T {
  const active = context.active();
  const invocationId = trace.getSpan(active)?.spanContext().spanId;
  return context.with(trace.deleteSpan(active), () => fn(invocationId));
}
