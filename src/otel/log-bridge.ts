import { trace, type Attributes } from '@opentelemetry/api';
import { redactString, redactUnknown } from '../redact';

type Level = 'debug' | 'info' | 'warn' | 'error';
const METHODS: Array<[keyof Console & Level | 'log', Level]> = [
  ['debug', 'debug'],
  ['log', 'info'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
];
/** Keys a caller's fields can never overwrite, so input cannot forge them. */
const RESERVED = new Set(['time', 'level', 'message', 'service', 'trace_id', 'span_id']);

let installedFor: string | undefined;

/**
 * Makes every console line of the worker one JSON object: level, message, service, the active
 * span's trace_id/span_id, and the structured fields passed as plain objects, e.g.
 * `console.info('image stored', { zip, format })`. Inside a queue handler each message runs
 * in its own span context, so its lines carry that message's trace. Installed once per isolate.
 */
export function installLogBridge(service: string, target: Console = console): void {
  if (installedFor) return;
  installedFor = service;
  const methods = target as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, level] of METHODS) {
    // Each line still goes out through its own method, so the runtime keeps the level too.
    const out = methods[method].bind(target);
    methods[method] = (...args: unknown[]) => {
      const record = logRecord(service, level, args);
      if (level === 'warn' || level === 'error') addLogEvent(level, record);
      out(safeStringify(record));
    };
  }
}

export function formatLogLine(service: string, level: Level, args: unknown[], now: Date = new Date()): string {
  return safeStringify(logRecord(service, level, args, now));
}

/** The line as an object: what is written (as JSON) and what a warning's span event carries. */
function logRecord(service: string, level: Level, args: unknown[], now: Date = new Date()): Record<string, unknown> {
  const texts: string[] = [];
  const fields: Record<string, unknown> = {};
  for (const arg of args) {
    if (arg instanceof Error) fields.error = { type: arg.name, message: arg.message, stack: arg.stack };
    else if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) Object.assign(fields, arg);
    else texts.push(typeof arg === 'string' ? arg : safeStringify(arg));
  }
  const line: Record<string, unknown> = { time: now.toISOString(), level, message: redactString(texts.join(' ')), service };
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext) {
    line.trace_id = spanContext.traceId;
    line.span_id = spanContext.spanId;
  }
  for (const [key, value] of Object.entries(redactUnknown(fields) as Record<string, unknown>)) {
    line[RESERVED.has(key) ? `field.${key}` : key] = value;
  }
  return line;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
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
  span.addEvent(String(record.message || level), attributes);
}
