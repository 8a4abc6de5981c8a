import { context, createContextKey, trace, type Attributes, type Context } from '@opentelemetry/api';

/**
 * The run's words: which ZIP, which format, which run and what started it, on every span that
 * concerns a run, so Jaeger's tag search finds "all runs of 78729" and each per-format branch
 * says its format without expanding children. Names are documented in the README's table.
 */
export const ATTR_ZIP = 'weather_landscape.zip';
export const ATTR_FORMAT = 'weather_landscape.format';
export const ATTR_RUN_ID = 'weather_landscape.run.id';
export const ATTR_RUN_TRIGGER = 'weather_landscape.run.trigger';
/** The caller's `X-Request-ID`, on every span of the request and of the run it started. */
export const ATTR_REQUEST_ID = 'weather_landscape.request_id';

/**
 * What a request id may be: 1 to 128 printable ASCII characters (0x20-0x7E). Nothing else is
 * copied into telemetry, a body or a response header (no control characters, so no CR/LF).
 */
export const REQUEST_ID_PATTERN = /^[\x20-\x7E]{1,128}$/;

/** Where each word is found in a queue body (our message schemas, src/messages/schemas.ts). */
const BODY_FIELDS: ReadonlyArray<[field: string, attribute: string, valid: RegExp]> = [
  ['zip_code', ATTR_ZIP, /^\d{5}$/],
  ['format_name', ATTR_FORMAT, /^[a-z_]{1,16}$/],
  ['run_id', ATTR_RUN_ID, /^[0-9a-f]{32}$/],
  ['trigger', ATTR_RUN_TRIGGER, /^(admin|cron|replay)$/],
  ['request_id', ATTR_REQUEST_ID, REQUEST_ID_PATTERN],
];

/** The names of the run's words (what another trace system, e.g. Cloudflare's native spans, should be told too). */
export const RUN_ATTRIBUTE_NAMES: readonly string[] = BODY_FIELDS.map(([, attribute]) => attribute);

/**
 * The words a queue body carries. Read from the raw body (before its schema check) so that even a
 * message that fails validation is labelled with what it claims; values that do not look like
 * ours are left out rather than copied into telemetry.
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

/** The words every body of a batch shares (a dispatcher batch shares the ZIP and run, not the format). */
export function commonRunAttributes(bodies: readonly unknown[]): Attributes {
  if (bodies.length === 1) return runAttributesOfBody(bodies[0]);
  const [first, ...rest] = bodies.map(runAttributesOfBody);
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([key, value]) => rest.every((other) => other[key] === value)));
}

/** The ZIP of an HTTP request: the `zip` query parameter or a 5-digit first path segment (`/78729/bw.bmp`). */
export function runAttributesOfRequest(url: URL): Attributes {
  const zip = url.searchParams.get('zip') ?? url.pathname.split('/')[1];
  return zip && /^\d{5}$/.test(zip) ? { [ATTR_ZIP]: zip } : {};
}

const RUN_ATTRIBUTES = createContextKey('weather-landscape run attributes');

/** A context whose spans (every span started under it) carry `attributes` too. */
export function withRunAttributes(ctx: Context, attributes: Attributes): Context {
  if (Object.keys(attributes).length === 0) return ctx;
  const inherited = ctx.getValue(RUN_ATTRIBUTES) as Attributes | undefined;
  return ctx.setValue(RUN_ATTRIBUTES, inherited ? { ...inherited, ...attributes } : attributes);
}

export function runAttributesOf(ctx: Context): Attributes | undefined {
  return ctx.getValue(RUN_ATTRIBUTES) as Attributes | undefined;
}

/**
 * Labels the active span and everything started inside `fn` with `attributes` (the span that sends
 * a run's message, or answers a request for a ZIP, concerns that run too). Existing values win.
 */
export function runWithAttributes<T>(attributes: Attributes, fn: () => T): T {
  labelActiveSpan(attributes);
  return context.with(withRunAttributes(context.active(), attributes), fn);
}

/** Puts `attributes` on the active span where it has no value of its own yet. */
export function labelActiveSpan(attributes: Attributes): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  const current = (span as unknown as { attributes?: Attributes }).attributes ?? {};
  for (const key in attributes) {
    const value = attributes[key];
    if (current[key] === undefined && value !== undefined) span.setAttribute(key, value);
  }
}
