/**
 * OpenTelemetry messaging semantic conventions for Cloudflare Queues.
 * The registry has no `messaging.system` value for Cloudflare Queues; we use `cloudflare_queues`
 * (snake_case like `aws_sqs`, `gcp_pubsub`) and put system-specific attributes under its namespace.
 */
export {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_VALUE_CREATE,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
} from '@opentelemetry/semantic-conventions/incubating';
export { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';

export const MESSAGING_SYSTEM_VALUE_CLOUDFLARE_QUEUES = 'cloudflare_queues';
/** How many times this message has been delivered (Cloudflare's `message.attempts`, 1 on first delivery). */
export const ATTR_CF_QUEUES_MESSAGE_ATTEMPTS = 'messaging.cloudflare_queues.message.attempts';
/** What the consumer did with the message: `ack`, `retry` or `dead_letter`. */
export const ATTR_CF_QUEUES_OUTCOME = 'messaging.cloudflare_queues.outcome';
/** Retry delay asked of the queue, in seconds. */
export const ATTR_CF_QUEUES_RETRY_DELAY = 'messaging.cloudflare_queues.retry.delay_seconds';
/** Why the message's trace carrier was not used: `missing` or `invalid` (then the message starts a new trace). */
export const ATTR_CF_QUEUES_CARRIER_STATUS = 'messaging.cloudflare_queues.carrier.status';
export const ATTR_CF_QUEUES_CARRIER_REASON = 'messaging.cloudflare_queues.carrier.reason';
/** The dead-letter reason, when the outcome is `dead_letter`. */
export const ATTR_CF_QUEUES_DEAD_LETTER_REASON = 'messaging.cloudflare_queues.dead_letter.reason';

/** Body size in bytes of each message of a `sendBatch` (one value per message: billing rounds each message up to 64 KB). */
export const ATTR_CF_QUEUES_BATCH_BODY_SIZES = 'messaging.cloudflare_queues.batch.body_sizes';

export type MessageOutcome = 'ack' | 'retry' | 'dead_letter';
