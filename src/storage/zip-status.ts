import { z } from 'zod';
import { ZipCode } from '../domain/zip';
import type { DeadLetter } from '../messages/dead-letter';

/**
 * The last failed run of each ZIP, as the R2 object `{zip}/failure.json` next to its pictures, so
 * the image route reads it with one head (class B) and the one R2 list that finds a ZIP's pictures
 * finds its failure too. Body: the ZipFailure JSON; the same fields in the custom metadata (the
 * reason shortened), which is what heads and lists return. One write per failed run (when its
 * message is dead-lettered), none on success: a failure older than the ZIP's newest picture is
 * simply no longer current (see isCurrentFailure), so nothing has to be deleted.
 *
 * R2 has no per-object expiry in the binding API (nothing like KV's expirationTtl), and a bucket's
 * lifecycle rules select objects by key prefix only (`wrangler r2 bucket lifecycle add <bucket>
 * [name] [prefix]`), which cannot single out the file under every ZIP. So the object stays until
 * the ZIP's next failure replaces it, and readers ignore a failure older than 30 days: as long
 * as the dead letter it describes is kept.
 */
const SHOWN_FOR_MS = 30 * 24 * 3600 * 1000;
const FAILURE_FILE = 'failure.json';
/**
 * Custom metadata must stay under the runtime's limit: workerd/miniflare refuse a put whose custom
 * metadata exceeds 2,048 bytes, keys and values counted (measured: "Your metadata headers exceed
 * the maximum allowed metadata size. (10012)"), below R2's documented 8,192 bytes for all metadata.
 * The reason gets most of it; each other field at most FIELD_METADATA_BYTES (8 fields, with names).
 */
const REASON_METADATA_BYTES = 1200;
const FIELD_METADATA_BYTES = 80;

export function failureKey(zip: string): string {
  return `${zip}/${FAILURE_FILE}`;
}

function isFailureKey(key: string): boolean {
  return key.endsWith(`/${FAILURE_FILE}`);
}

export const ZipFailure = z.object({
  zip: z.string(),
  /** When the run was given up (the dead letter's time). */
  at: z.string(),
  /** The queue whose consumer gave up: fetch-jobs, weather-ready or landscape-jobs. */
  stage: z.string(),
  /** Set when one format's job failed (landscape-jobs); absent when the whole run failed. */
  format: z.string().optional(),
  error_type: z.string(),
  reason: z.string(),
  attempts: z.number(),
  trace_id: z.string(),
  run_id: z.string().optional(),
});
export type ZipFailure = z.infer<typeof ZipFailure>;

/** The custom metadata of `{zip}/failure.json`: every ZipFailure field, as strings. */
const FailureMetadata = z.object({
  zip: z.string(),
  at: z.string(),
  stage: z.string(),
  format: z.string().optional(),
  'error-type': z.string(),
  reason: z.string(),
  attempts: z.coerce.number(),
  'trace-id': z.string(),
  'run-id': z.string().optional(),
});

/** `text` cut to at most `max` UTF-8 bytes, marked with "…" when cut. */
function clipUtf8(text: string, max: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= max) return text;
  // "…" is 3 bytes; a multi-byte character cut in half decodes to one U+FFFD, dropped.
  return `${new TextDecoder().decode(bytes.slice(0, max - 3)).replace(/\uFFFD$/, '')}…`;
}

function toMetadata(f: ZipFailure): Record<string, string> {
  // Fields a malformed body chose (format, run id) are clipped too, so the record is always written.
  const short = (value: string) => clipUtf8(value, FIELD_METADATA_BYTES);
  return {
    zip: f.zip,
    at: short(f.at),
    stage: short(f.stage),
    ...(f.format ? { format: short(f.format) } : {}),
    'error-type': short(f.error_type),
    reason: clipUtf8(f.reason, REASON_METADATA_BYTES),
    attempts: String(f.attempts),
    'trace-id': short(f.trace_id),
    ...(f.run_id ? { 'run-id': short(f.run_id) } : {}),
  };
}

/**
 * The failure an R2 object (head, or list with `include: ['customMetadata']`) describes; undefined
 * for any other object, and for a failure older than 30 days (no longer shown).
 */
export function failureFromObject(object: R2Object, now = Date.now()): ZipFailure | undefined {
  if (!isFailureKey(object.key)) return undefined;
  const parsed = FailureMetadata.safeParse(object.customMetadata ?? {});
  if (!parsed.success) return undefined;
  const m = parsed.data;
  if (!(now - Date.parse(m.at) < SHOWN_FOR_MS)) return undefined;
  return {
    zip: m.zip,
    at: m.at,
    stage: m.stage,
    ...(m.format ? { format: m.format } : {}),
    error_type: m['error-type'],
    reason: m.reason,
    attempts: m.attempts,
    trace_id: m['trace-id'],
    ...(m['run-id'] ? { run_id: m['run-id'] } : {}),
  };
}

const BodyFields = z.object({ zip_code: ZipCode, format_name: z.string().optional(), run_id: z.string().optional() });

/**
 * Records the dead letter as its ZIP's last failure, when its body names a ZIP. Never throws.
 * The image jobs of one run fail one by one (one dead letter per format): the first is written,
 * a second format of the same run widens the record to the whole run, and the rest write nothing,
 * so a run costs at most two writes however many formats fail (and one head per format failure).
 */
export async function recordZipFailure(bucket: R2Bucket | undefined, letter: DeadLetter): Promise<void> {
  const body = BodyFields.safeParse(letter.body);
  if (!bucket || !body.success) return;
  const failure: ZipFailure = {
    zip: body.data.zip_code,
    at: letter.dead_lettered_at,
    stage: letter.queue,
    ...(body.data.format_name ? { format: body.data.format_name } : {}),
    error_type: letter.error_type,
    reason: letter.reason,
    attempts: letter.attempts,
    trace_id: letter.trace_id,
    ...(body.data.run_id ? { run_id: body.data.run_id } : {}),
  };
  try {
    if (failure.format) {
      const previous = await getZipFailure(bucket, failure.zip);
      if (previous && sameRun(previous, failure) && previous.stage === failure.stage) {
        if (!previous.format || previous.format === failure.format) return;
        delete failure.format;
      }
    }
    await bucket.put(failureKey(failure.zip), JSON.stringify(failure), {
      httpMetadata: { contentType: 'application/json' },
      customMetadata: toMetadata(failure),
    });
  } catch (error) {
    console.warn('ZIP failure not recorded', { action: 'error', zip_code: failure.zip, error: String(error) });
  }
}

/** Dead letters of one run share its run id (admin runs) or its trace (any traced run). */
function sameRun(a: ZipFailure, b: ZipFailure): boolean {
  if (a.run_id || b.run_id) return a.run_id === b.run_id;
  return /[1-9a-f]/.test(a.trace_id) && a.trace_id === b.trace_id;
}

/** The ZIP's last failure (of the last 30 days) with one R2 head. */
export async function getZipFailure(bucket: R2Bucket, zip: string): Promise<ZipFailure | undefined> {
  const object = await bucket.head(failureKey(zip));
  return object ? failureFromObject(object) : undefined;
}

/**
 * Whether the failure still describes the picture of `format`: it concerns that format (or the
 * whole run) and no picture has been stored since (a later success makes it history).
 */
export function isCurrentFailure(failure: ZipFailure | undefined, format: string, pictureGeneratedAt: string | undefined): failure is ZipFailure {
  if (!failure) return false;
  if (failure.format && failure.format !== format) return false;
  return pictureGeneratedAt === undefined || Date.parse(pictureGeneratedAt) < Date.parse(failure.at);
}
