import type { Attributes } from '@opentelemetry/api';
import { REQUEST_ID_PATTERN } from '../domain/request-id';

/**
 * The run's words: which ZIP, which format, which run and what started it, on every span that
 * concerns a run (src/otel's context attributes), so Jaeger's tag search finds "all runs of 78729"
 * and each per-format branch says its format without expanding children. Names are documented in
 * the README's table.
 */
export const ATTR_ZIP = 'weather_landscape.zip';
export const ATTR_FORMAT = 'weather_landscape.format';
export const ATTR_RUN_ID = 'weather_landscape.run.id';
export const ATTR_RUN_TRIGGER = 'weather_landscape.run.trigger';
/** The caller's `X-Request-ID`, on every span of the request and of the run it started. */
export const ATTR_REQUEST_ID = 'weather_landscape.request_id';

/** Where each word is found in a queue body (our message schemas, src/messages/schemas.ts). */
const BODY_FIELDS: ReadonlyArray<[field: string, attribute: string, valid: RegExp]> = [
  ['zip_code', ATTR_ZIP, /^\d{5}$/],
  ['format_name', ATTR_FORMAT, /^[a-z_]{1,16}$/],
  ['run_id', ATTR_RUN_ID, /^[0-9a-f]{32}$/],
  ['trigger', ATTR_RUN_TRIGGER, /^(admin|cron|replay)$/],
  ['request_id', ATTR_REQUEST_ID, REQUEST_ID_PATTERN],
];

/**
 * The words a queue body carries (src/otel's `bodyAttributes` option). Read from the raw body
 * (before its schema check) so that even a message that fails validation is labelled with what it
 * claims; values that do not look like ours are left out rather than copied into telemetry.
 */
export function runAttributesOfBody(body: unknown): Attributes {
  const attributes: Attributes = {};
  if (typeof body !== 'object' || body === null) return attributes;
  // A dead letter (src/messages/dead-letter.ts) concerns the run of the message it carries.
  const carried = (body as { queue?: unknown; body?: unknown }).body;
  if (typeof (body as { queue?: unknown }).queue === 'string' && typeof carried === 'object' && carried !== null) body = carried;
  for (const [field, attribute, valid] of BODY_FIELDS) {
    const value = (body as Record<string, unknown>)[field];
    if (typeof value === 'string' && valid.test(value)) attributes[attribute] = value;
  }
  return attributes;
}

/** The ZIP of an HTTP request: the `zip` query parameter or a 5-digit first path segment (`/78729/bw.bmp`). */
export function runAttributesOfRequest(url: URL): Attributes {
  const zip = url.searchParams.get('zip') ?? url.pathname.split('/')[1];
  return zip && /^\d{5}$/.test(zip) ? { [ATTR_ZIP]: zip } : {};
}
