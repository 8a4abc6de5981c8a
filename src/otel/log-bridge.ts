import { context, trace, type Attributes, type Span } from '@opentelemetry/api';
import { redactString, redactUnknown } from './redact';
import { getContextAttributes } from './context-attributes';
import { ShapeKeeper } from './shape-keeper';

type Level = 'debug' | 'info' | 'warn' | 'error';
const METHODS: Array<[(keyof Console & Level) | 'log', Level]> = [
  ['debug', 'debug'],
  ['log', 'info'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
];
/** Keys a caller's fields can never overwrite, so input cannot forge them. */
const RESERVED = new Set(['time', 'level', 'message', 'worker', 'service', 'trace_id', 'span_id', 'parent_span_id']);

export interface LogBridgeOptions {
  /**
   * The context attributes (context-attributes.ts) that every line carries: attribute name → log
   * field name, e.g. `{ 'shop.order.id': 'order_id' }`. Given by the application, which names both.
   */
  contextFields?: Readonly<Record<string, string>>;
  /** The console whose methods are replaced (tests pass their own). */
  target?: Console;
}

let installedFor: string | undefined;

/**
 * Makes every console line of the worker one JSON object: level, message, worker (and service,
 * its OpenTelemetry name, the same value), the active span's trace_id/span_id/parent_span_id,
 * the context attributes (`contextFields`), and the structured fields passed as plain
 * objects, e.g. `console.info('image stored', { action: 'generate_image' })`. Inside a queue
 * handler each message runs in its own span context, so its lines carry that message's trace and
 * attributes. Installed once per isolate.
 */
export function installLogBridge(service: string, options: LogBridgeOptions = {}): void {
  if (installedFor) return;
  installedFor = service;
  const target = options.target ?? console;
  const methods = target as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, level] of METHODS) {
    // Each line still goes out through its own method, so the runtime keeps the level too.
    const out = methods[method].bind(target);
    methods[method] = (...args: unknown[]) => {
      const record = logRecord(service, level, args, options.contextFields);
      if (level === 'warn' || level === 'error') addLogEvent(level, record);
      out(safeStringify(record));
    };
  }
}

export function formatLogLine(
  service: string,
  level: Level,
  args: unknown[],
  options: { now?: Date; contextFields?: Readonly<Record<string, string>> } = {},
): string {
  return safeStringify(logRecord(service, level, args, options.contextFields, options.now));
}

/** The last lines, kept so that their shapes outlive an invocation (shape-keeper.ts). */
const recentLines = new ShapeKeeper<Record<string, unknown>>(16);

/** The line as an object: what is written (as JSON) and what a warning's span event carries. */
function logRecord(
  service: string,
  level: Level,
  args: unknown[],
  contextFields: Readonly<Record<string, string>> = {},
  now: Date = new Date(),
): Record<string, unknown> {
  const texts: string[] = [];
  const fields: Record<string, unknown> = {};
  for (const arg of args) {
    if (arg instanceof Error) fields.error = { type: arg.name, message: arg.message, stack: arg.stack };
    else if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) Object.assign(fields, arg);
    else texts.push(typeof arg === 'string' ? arg : safeStringify(arg));
  }
  const line: Record<string, unknown> = { time: now.toISOString(), level, message: redactString(texts.join(' ')), worker: service, service };
  const span = trace.getActiveSpan();
  if (span) {
    const spanContext = span.spanContext();
    line.trace_id = spanContext.traceId;
    line.span_id = spanContext.spanId;
    const parentSpanId = parentSpanIdOf(span);
    if (parentSpanId) line.parent_span_id = parentSpanId;
  }
  for (const [key, value] of Object.entries(redactUnknown(fields) as Record<string, unknown>)) {
    line[RESERVED.has(key) ? `field.${key}` : key] = value;
  }
  // What a call passes is what it says; the context fills in the rest.
  const run = getContextAttributes(context.active()) ?? {};
  for (const [attribute, field] of Object.entries(contextFields)) {
    if (run[attribute] !== undefined && line[field] === undefined) line[field] = run[attribute];
  }
  recentLines.keep(line);
  return line;
}

/**
 * The active span's parent, read from the SDK span (2.x: `parentSpanContext`); the API's Span
 * interface does not expose it, so it is looked up rather than assumed.
 */
function parentSpanIdOf(span: Span): string | undefined {
  if (!('parentSpanContext' in span)) return undefined;
  const parent = span.parentSpanContext;
  return typeof parent === 'object' && parent !== null && 'spanId' in parent && typeof parent.spanId === 'string' ? parent.spanId : undefined;
}

/**
 * JSON, with a BigInt written as its decimal string and anything JSON cannot write (a cycle) as
 * String(value). Plain JSON.stringify first: with a replacer function it took 1.29 µs instead of
 * 0.55 for a 13-field line (Node 24, 2026-12-06), and only a BigInt or a cycle makes it throw.
 */
function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    try {
      return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
    } catch {
      return String(value);
    }
  }
}

/**
 * A warning or error is also an event on the active span, so Jaeger's "Logs" section of the span
 * that failed tells the story (retry and dead-letter decisions included) next to its timing.
 */
function addLogEvent(level: Level, record: Record<string, unknown>): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  const attributes: Attributes = { 'log.level': level };
  for (const [key, value] of Object.entries(record)) {
    if (RESERVED.has(key) || value === null || value === undefined || value === '') continue;
    attributes[key] = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : safeStringify(value);
  }
  span.addEvent(typeof record.message === 'string' && record.message !== '' ? record.message : level, attributes);
}
