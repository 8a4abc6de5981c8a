import { context, createContextKey, trace, type Attributes, type Context } from '@opentelemetry/api';

/**
 * Context attributes: attributes kept in the OpenTelemetry context and copied onto every span
 * started under it (span-processor.ts), and onto every log line under the names the application
 * gives (log-bridge.ts). They are how a piece of work (a job, a run, a tenant) is findable in every
 * span and line it touches without each call passing it. The application says what they are; a
 * queue message's are read from its body by the application's {@link BodyAttributes}.
 */

/**
 * Reads the context attributes a queue message body carries (for its `create`, `send` and `process`
 * spans and every span under `process`). Given the raw body, before any schema check, so a message
 * that fails validation is still labelled with what it claims: return only values that look valid.
 */
export type BodyAttributes = (body: unknown) => Attributes;

const NONE: Attributes = {};
let bodyAttributes: BodyAttributes = () => NONE;

/** Sets the application's {@link BodyAttributes} (instrumentWorker's `bodyAttributes` option). */
export function setBodyAttributes(read: BodyAttributes | undefined): void {
  bodyAttributes = read ?? (() => NONE);
}

/** The context attributes of one queue message body. */
export function attributesOfBody(body: unknown): Attributes {
  return bodyAttributes(body);
}

/** The attributes every body of a batch shares (e.g. the job, not the per-message part). */
export function commonBodyAttributes(bodies: readonly unknown[]): Attributes {
  if (bodies.length === 1) return attributesOfBody(bodies[0]);
  const [first, ...rest] = bodies.map(attributesOfBody);
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([key, value]) => rest.every((other) => other[key] === value)));
}

const CONTEXT_ATTRIBUTES = createContextKey('otel context attributes');

/** A context whose spans (every span started under it) carry `attributes` too. */
export function setContextAttributes(ctx: Context, attributes: Attributes): Context {
  if (Object.keys(attributes).length === 0) return ctx;
  const inherited = ctx.getValue(CONTEXT_ATTRIBUTES) as Attributes | undefined;
  return ctx.setValue(CONTEXT_ATTRIBUTES, inherited ? { ...inherited, ...attributes } : attributes);
}

export function getContextAttributes(ctx: Context): Attributes | undefined {
  return ctx.getValue(CONTEXT_ATTRIBUTES) as Attributes | undefined;
}

/**
 * Labels the active span and everything started inside `fn` with `attributes` (the span that sends
 * a job's message, or answers a request about it, concerns that job too). Existing values win.
 */
export function withContextAttributes<T>(attributes: Attributes, fn: () => T): T {
  labelActiveSpan(attributes);
  return context.with(setContextAttributes(context.active(), attributes), fn);
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
