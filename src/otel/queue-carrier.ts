import { context, defaultTextMapSetter, INVALID_SPANID, INVALID_TRACEID, propagation, trace, type Context, type TextMapGetter } from '@opentelemetry/api';

/**
 * The W3C trace context travels inside the message body under this one reserved key
 * (Cloudflare Queues have no message headers). Written and read by the global propagator only.
 */
export const CARRIER_KEY = '_otel';

export type Carrier = Record<string, string>;

export type CarrierStatus = 'valid' | 'missing' | 'invalid';

export interface ExtractedMessage {
  /** The body as application code sees it: the reserved key removed. */
  body: unknown;
  /** Parent context for the consumer span; one with no span (a new trace) when the carrier is missing or invalid. */
  parent: Context;
  status: CarrierStatus;
  /** Why the carrier was rejected, for the span attribute. */
  reason?: string;
}

/** Returns a copy of `body` with the active context's carrier under {@link CARRIER_KEY}. */
export function withCarrier<T extends object>(body: T, ctx: Context = context.active()): T & { [CARRIER_KEY]?: Carrier } {
  const carrier: Carrier = {};
  propagation.inject(ctx, carrier, defaultTextMapSetter);
  // Tracing off (or nothing to propagate): keep the body as it is rather than an empty key.
  return Object.keys(carrier).length > 0 ? { ...body, [CARRIER_KEY]: carrier } : { ...body };
}

/** A carrier's fields as the propagator reads them: only string values count (a body is untrusted input). */
const STRING_VALUES: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier).filter((key) => typeof carrier[key] === 'string'),
  get: (carrier, key) => {
    const value = Object.hasOwn(carrier, key) ? carrier[key] : undefined;
    return typeof value === 'string' ? value : undefined;
  },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A received body split into its carrier and the rest (a copy), or undefined when it holds no carrier. */
function splitCarrier(raw: unknown): { carrier: unknown; body: Record<string, unknown> } | undefined {
  if (!isPlainObject(raw) || !(CARRIER_KEY in raw)) return undefined;
  const { [CARRIER_KEY]: carrier, ...body } = raw;
  return { carrier, body };
}

/** A received body as application code sees it: the reserved key removed (a copy), anything else as it is. */
export function withoutCarrier(raw: unknown): unknown {
  return splitCarrier(raw)?.body ?? raw;
}

/**
 * Splits a received body into application body and parent context. Never throws.
 * `base` is the active context without its span: the message's trace must not inherit the
 * batch invocation's span, but other context values (otel-cf-workers keeps its config there) stay.
 */
export function extractCarrier(raw: unknown, base: Context = trace.deleteSpan(context.active())): ExtractedMessage {
  const split = splitCarrier(raw);
  if (!split) return { body: raw, parent: base, status: 'missing', reason: 'no trace carrier in the message body' };
  const { carrier, body } = split;
  if (!isPlainObject(carrier) || typeof carrier.traceparent !== 'string') {
    return { body, parent: base, status: 'invalid', reason: 'carrier is not an object with a traceparent string' };
  }
  const parent = propagation.extract(base, carrier, STRING_VALUES);
  const extracted = trace.getSpanContext(parent);
  // OpenTelemetry's propagators take only well-formed hex ids (W3C's also refuses the all-zero
  // ones): what is left to refuse is the all-zero ids another propagator might let through.
  if (!extracted || extracted.traceId === INVALID_TRACEID || extracted.spanId === INVALID_SPANID) {
    return { body, parent: base, status: 'invalid', reason: 'traceparent rejected by the W3C Trace Context propagator' };
  }
  return { body, parent, status: 'valid' };
}
