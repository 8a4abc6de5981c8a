import type { Context } from 'hono';
import { z } from 'zod';
import { FORMAT_NAMES } from '../domain/formats';
import { INVALID_ZIP_MESSAGE, ZipCode } from '../domain/zip';

/** Query inputs of the admin API, validated where they enter. */
export const ZipQuery = z.object({ zip: ZipCode });
export const ZipFormatQuery = z.object({
  zip: ZipCode,
  format: z.enum(FORMAT_NAMES as [string, ...string[]], { message: `Unknown format. Available: ${FORMAT_NAMES.join(', ')}.` }),
});

/** Parses the query; on failure answers 400 with the first problem as `{error}`. */
export function parseQuery<T>(c: Context, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; response: Response } {
  const parsed = schema.safeParse(c.req.query());
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const message = issue?.path[0] === 'zip' ? INVALID_ZIP_MESSAGE : (issue?.message ?? 'Invalid request.');
  return { ok: false, response: c.json({ error: message }, 400) };
}
