import { z } from 'zod';
import { previewBody, type PreviewLimits } from './body-preview';

/** What a consumer sends to its `<queue>-dlq` when it gives up on a message. */
export const DeadLetter = z.object({
  schema_version: z.literal(1),
  // Bounded: both name the record's KV key, which may not exceed 512 bytes.
  queue: z.string().max(100),
  message_id: z.string().max(200),
  attempts: z.number().int(),
  reason: z.string(),
  error_type: z.string(),
  /** The trace the failed delivery ran in, so a replay can link to it. */
  trace_id: z.string(),
  /** The CONSUMER span that gave up, so a replay can link to exactly it. */
  span_id: z.string(),
  dead_lettered_at: z.string().max(40),
  /**
   * The original body, trace carrier removed, when JSON holds it exactly and it fits; otherwise a
   * bounded preview of it (src/messages/body-preview.ts). JSON-safe either way.
   */
  body: z.unknown(),
  /** False when `body` is only a preview: a replay needs the original. Absent in records older than the flag (then true). */
  replayable: z.boolean().optional(),
  /** Why `body` is a preview: the values JSON cannot hold and what was cut. */
  body_notes: z.array(z.string()).optional(),
  /** Set on a last-resort record: why the full record could not be stored. */
  record_error: z.string().optional(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

/** The body fields of a dead letter for any body: never fails, and the result always serializes as JSON. */
export function deadLetterBody(body: unknown, limits?: PreviewLimits): Pick<DeadLetter, 'body' | 'replayable' | 'body_notes'> {
  const preview = previewBody(body, limits);
  return preview.exact ? { body, replayable: true } : { body: preview.value, replayable: false, body_notes: preview.notes };
}
