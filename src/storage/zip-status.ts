import { z } from 'zod';
import { ZipCode } from '../domain/zip';
import type { DeadLetter } from '../messages/dead-letter';
import { listAllKeys } from './kv-list';

/**
 * The last failed run of each ZIP (`failure:{zip}`), so the image route and /forecasts can tell
 * "not drawn yet" from "failed, and why". One KV write per failed run (when its message is
 * dead-lettered), none on success: a failure older than the ZIP's newest picture is simply no
 * longer current (see isCurrentFailure), so nothing has to be deleted.
 */
const PREFIX = 'failure:';
/** As long as the dead letter it describes is kept. */
const TTL_SECONDS = 30 * 24 * 3600;

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

const BodyFields = z.object({ zip_code: ZipCode, format_name: z.string().optional(), run_id: z.string().optional() });

/**
 * Records the dead letter as its ZIP's last failure, when its body names a ZIP. Never throws.
 * The image jobs of one run fail one by one (one dead letter per format): the first is written,
 * a second format of the same run widens the record to the whole run, and the rest write nothing,
 * so a run costs at most two writes however many formats fail.
 */
export async function recordZipFailure(kv: KVNamespace | undefined, letter: DeadLetter): Promise<void> {
  const body = BodyFields.safeParse(letter.body);
  if (!kv || !body.success) return;
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
      const previous = await getZipFailure(kv, failure.zip);
      if (previous && sameRun(previous, failure) && previous.stage === failure.stage) {
        if (!previous.format || previous.format === failure.format) return;
        delete failure.format;
      }
    }
    await kv.put(`${PREFIX}${failure.zip}`, JSON.stringify(failure), { expirationTtl: TTL_SECONDS });
  } catch (error) {
    console.warn('ZIP failure not recorded', { zip: failure.zip, error: String(error) });
  }
}

/** Dead letters of one run share its run id (admin runs) or its trace (any traced run). */
function sameRun(a: ZipFailure, b: ZipFailure): boolean {
  if (a.run_id || b.run_id) return a.run_id === b.run_id;
  return /[1-9a-f]/.test(a.trace_id) && a.trace_id === b.trace_id;
}

export async function getZipFailure(kv: KVNamespace, zip: string): Promise<ZipFailure | undefined> {
  const parsed = ZipFailure.safeParse(await kv.get(`${PREFIX}${zip}`, 'json'));
  return parsed.success ? parsed.data : undefined;
}

/** The last failure of every ZIP that has one, by ZIP. */
export async function listZipFailures(kv: KVNamespace): Promise<Map<string, ZipFailure>> {
  const keys = await listAllKeys(kv, PREFIX);
  const records = await Promise.all(keys.map((key) => getZipFailure(kv, key.slice(PREFIX.length))));
  return new Map(records.flatMap((r) => (r ? [[r.zip, r] as const] : [])));
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
