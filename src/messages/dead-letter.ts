import { z } from 'zod';

/** What a consumer sends to its `<queue>-dlq` when it gives up on a message. */
export const DeadLetter = z.object({
  schema_version: z.literal(1),
  queue: z.string(),
  message_id: z.string(),
  attempts: z.number().int(),
  reason: z.string(),
  error_type: z.string(),
  /** The trace the failed delivery ran in, so a replay can link to it. */
  trace_id: z.string(),
  /** The CONSUMER span that gave up, so a replay can link to exactly it. */
  span_id: z.string(),
  dead_lettered_at: z.string(),
  /** The original body, trace carrier removed; may be anything (it failed validation, perhaps). */
  body: z.unknown(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;
