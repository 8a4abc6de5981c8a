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
/**
 * Which delivery of the message this is (Cloudflare's `message.attempts`, 1 on first delivery).
 * The conventions have no system-neutral attribute for it, only per-system ones named after each
 * system's own field (`messaging.gcp_pubsub.message.delivery_attempt`,
 * `messaging.servicebus.message.delivery_count`): this is Cloudflare's.
 */
export const ATTR_CF_QUEUES_MESSAGE_ATTEMPTS = 'messaging.cloudflare_queues.message.attempts';
/**
 * Milliseconds the message waited between its send and the start of this delivery's processing
 * (for a redelivery: since the first send, earlier attempts and backoff included). The conventions
 * have no attribute for the wait, only per-system enqueue times in epoch seconds
 * (`messaging.servicebus.message.enqueued_time`, `messaging.eventhubs.message.enqueued_time`),
 * which a query cannot compare with a threshold: a duration can (`> 30000`).
 */
export const ATTR_CF_QUEUES_MESSAGE_QUEUE_TIME = 'messaging.cloudflare_queues.message.queue_time_ms';
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
