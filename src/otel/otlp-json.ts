import { SpanStatusCode, type Attributes, type HrTime, type Link, type SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

type Resource = ReadableSpan['resource'];

/**
 * What the export changes in a span on its way out (exporter.ts, ExportView), applied while its
 * JSON is written: no copy of the span is made for the export.
 */
export interface SpanTransform {
  attributes(attributes: Attributes): Attributes;
  status(status: SpanStatus): SpanStatus;
  resource(resource: Resource): Resource;
}

const AS_THEY_ARE: SpanTransform = { attributes: (a) => a, status: (s) => s, resource: (r) => r };

/**
 * The OTLP/JSON body of an export, written span by span as UTF-8 bytes: the same bytes the exporter
 * package's own serializer (otlp-transformer's `JsonTraceSerializer`, which builds the whole
 * request as objects, turns each time into a BigInt and then calls JSON.stringify) produces for the
 * same spans, in the same key order (test/node/otel/otlp-json.test.ts compares them). Its
 * object-building pass was half the export's JavaScript (npm run bench:profile).
 *
 * Spans can be added as they end (span-processor.ts): each is written at once into the bytes of its
 * resource and scope (grouped as the transformer groups them, in order of first appearance), so
 * an invocation's ended spans need not be kept as objects until its export. Bytes live outside the
 * JavaScript heap, where the garbage collector neither copies nor scans them; keeping the span
 * objects to the end instead (and the export cleaning without its fast path) cost the generator
 * about 14 µs a message more (95 % interval 0 to 28;
 * `npm run bench:ab -- --against fed798a`, 2026-12-06). What repeats in every export is
 * written once and kept: the resource and scope blocks (per object: the export view hands out one
 * resource object per isolate and one scope object per tracer), and attribute keys.
 */
export class OtlpJsonBody {
  private readonly groups = new Map<Resource, Map<string, { scope: Scope; bytes: ByteWriter }>>();

  /** The group the last span went to: consecutive spans mostly share their resource and scope. */
  private last: { resource: Resource; scope: Scope; bytes: ByteWriter } | undefined;

  constructor(private readonly transform: SpanTransform = AS_THEY_ARE) {}

  add(span: ReadableSpan): void {
    const last = this.last;
    const bytes = last !== undefined && last.resource === span.resource && last.scope === span.instrumentationScope ? last.bytes : this.groupOf(span);
    if (bytes.length !== 0) bytes.byte(COMMA);
    writeSpan(bytes, span, this.transform);
  }

  private groupOf(span: ReadableSpan): ByteWriter {
    const resource = this.transform.resource(span.resource);
    let scopes = this.groups.get(resource);
    if (!scopes) this.groups.set(resource, (scopes = new Map<string, { scope: Scope; bytes: ByteWriter }>()));
    const scope = span.instrumentationScope;
    const key = scopeKey(scope);
    let group = scopes.get(key);
    if (!group) scopes.set(key, (group = { scope, bytes: new ByteWriter() }));
    this.last = { resource: span.resource, scope, bytes: group.bytes };
    return group.bytes;
  }

  /** The whole request body. */
  bytes(): Uint8Array {
    const parts: Uint8Array[] = [];
    const text = (part: string) => void parts.push(utf8.encode(part));
    text('{"resourceSpans":[');
    let firstResource = true;
    for (const [resource, scopes] of this.groups) {
      text(`${firstResource ? '' : ','}{"resource":`);
      parts.push(resourceJson(resource));
      text(',"scopeSpans":[');
      firstResource = false;
      let firstScope = true;
      for (const { scope, bytes } of scopes.values()) {
        text(`${firstScope ? '' : ','}{"scope":`);
        parts.push(scopeJson(scope));
        text(',"spans":[');
        firstScope = false;
        parts.push(...bytes.parts());
        text(`]${scope.schemaUrl === undefined ? '' : `,"schemaUrl":${JSON.stringify(scope.schemaUrl)}`}}`);
      }
      text(`]${resource.schemaUrl ? `,"schemaUrl":${JSON.stringify(resource.schemaUrl)}` : ''}}`);
    }
    text(']}');
    return joined(parts);
  }
}

function joined(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const body = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.length;
  }
  return body;
}

type Scope = ReadableSpan['instrumentationScope'];

/** The transformer's grouping key, name@version:schemaUrl, remembered per scope object (ours: one per tracer). */
const scopeKeys = new WeakMap<object, string>();
function scopeKey(scope: Scope): string {
  let key = scopeKeys.get(scope);
  if (key === undefined) scopeKeys.set(scope, (key = `${scope.name}@${scope.version || ''}:${scope.schemaUrl || ''}`));
  return key;
}

/** The serializer the exporter package calls: all the spans of one export at once. */
export const otlpJsonSerializer = {
  serializeRequest(spans: readonly ReadableSpan[], transform: SpanTransform = AS_THEY_ARE): Uint8Array {
    const body = new OtlpJsonBody(transform);
    for (const span of spans) body.add(span);
    return body.bytes();
  },
};

/** The body as a string, for tests and tools. */
export function otlpJson(spans: readonly ReadableSpan[], transform: SpanTransform = AS_THEY_ARE): string {
  return new TextDecoder().decode(otlpJsonSerializer.serializeRequest(spans, transform));
}

const CHUNK_BYTES = 64 * 1024;
const utf8 = new TextEncoder();

/**
 * JSON written as UTF-8 bytes straight into fixed-size chunks, with no string made for it. Built as
 * strings (a template's tree of pieces per span, flattened by the encoder), a span's JSON was half
 * of what tracing allocated on the JavaScript heap: 9.2 of 17.9 KB a dispatcher message (V8's
 * sampling heap profiler, collected objects included, 2026-12-06); written as bytes, tracing
 * allocates 8.7. Kept as strings until the export instead, the dispatcher's tracing cost 16.5 µs a
 * message more (95 % interval 14.3 to 18.9) and the generator's 39.5 (21.5 to 62.1), bench:ab: what
 * lives on the heap during a batch is what its collections pay for. A full chunk is never copied to
 * grow; the chunks are joined once, by `bytes()`.
 */
export class ByteWriter {
  /**
   * A writer with no chunk, kept so that the writers' shape outlives the invocation (shape-keeper.ts):
   * every other writer lives for one export. Without it, a traced generator in Node threw away the
   * optimized code of `str`, `writeSpan`, `writeAttributes` and the rest of the writer at a full
   * collection that found no writer alive, once in 150 batches after its warm-up (`--trace-deopt`:
   * "embedded weak objects cleared", 2026-12-07).
   */
  static readonly kept = new ByteWriter(0);

  private readonly full: Uint8Array[] = [];
  private buf: Uint8Array;
  private at = 0;
  private before = 0;

  constructor(firstChunkBytes = CHUNK_BYTES) {
    this.buf = new Uint8Array(firstChunkBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.before + this.at;
  }

  /** The current chunk with room for `n` more bytes (a new chunk when it has not). */
  private room(n: number): Uint8Array {
    if (this.at + n <= this.buf.length) return this.buf;
    if (this.at > 0) {
      this.full.push(this.buf.subarray(0, this.at));
      this.before += this.at;
    }
    this.buf = new Uint8Array(Math.max(CHUNK_BYTES, n));
    this.at = 0;
    return this.buf;
  }

  byte(b: number): void {
    this.room(1)[this.at++] = b;
  }

  /** Bytes encoded once (a piece every span has, a key's prefix): the first `n` of `piece`. */
  bytes(piece: Uint8Array, n = piece.length): void {
    const buf = this.room(n);
    const at = this.at;
    // set() costs about 10 ns whatever the length, a copy byte by byte about 1 ns a byte (Node 24,
    // 2026-12-06): the loop for the shortest pieces, and for part of one (a view for set() would be
    // an allocation).
    if (n > 12 && n === piece.length) buf.set(piece, at);
    else for (let i = 0; i < n; i++) buf[at + i] = piece[i];
    this.at = at + n;
  }

  /** Text that is JSON already, as UTF-8. */
  raw(text: string): void {
    const n = text.length;
    // A UTF-16 unit is at most 3 bytes of UTF-8 (a pair of them, 4).
    const buf = this.room(n * 3);
    let at = this.at;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) buf[at++] = c;
      else {
        at += utf8.encodeInto(text.slice(i), buf.subarray(at)).written;
        break;
      }
    }
    this.at = at;
  }

  /** A JSON string, escaped as JSON.stringify escapes it. */
  str(value: string): void {
    const n = value.length;
    const buf = this.room(n * 3 + 2);
    let at = this.at;
    buf[at++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x20 && c < 0x80 && c !== QUOTE && c !== BACKSLASH) buf[at++] = c;
      else if (c >= 0x80 && c < 0x800) {
        buf[at++] = 0xc0 | (c >> 6);
        buf[at++] = 0x80 | (c & 0x3f);
      } else if (c >= 0x800 && (c < 0xd800 || c > 0xdfff)) {
        buf[at++] = 0xe0 | (c >> 12);
        buf[at++] = 0x80 | ((c >> 6) & 0x3f);
        buf[at++] = 0x80 | (c & 0x3f);
      } else {
        // A quote, a backslash, a control character or a surrogate (maybe a lone one): JSON.stringify's escaping.
        this.raw(JSON.stringify(value));
        return;
      }
    }
    buf[at++] = QUOTE;
    this.at = at;
  }

  /** A number as JSON.stringify writes it (NaN and ±Infinity as null); whole numbers digit by digit. */
  num(value: number): void {
    if (value >= 0 && value < 10 && Number.isInteger(value)) {
      this.room(1)[this.at++] = 48 + value;
      return;
    }
    if (!Number.isSafeInteger(value) || value < 0) {
      this.raw(Number.isFinite(value) ? String(value) : 'null');
      return;
    }
    const digits = digitCount(value);
    this.at = putDigits(this.room(digits), this.at, digits, value);
  }

  /** The chunks written, in order (views, not copies). */
  parts(): Uint8Array[] {
    return this.at === 0 ? this.full : [...this.full, this.buf.subarray(0, this.at)];
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

// The pieces every span has, encoded once: written from strings instead, a span's JSON took about 2.0 µs
// instead of 1.2 (400 spans written again and again, Node 24, 2026-12-06). The rarer pieces are written from strings.
const TRACE_ID = utf8.encode('{"traceId":');
const SPAN_ID = utf8.encode(',"spanId":');
const PARENT_SPAN_ID = utf8.encode(',"parentSpanId":');
const NAME = utf8.encode(',"name":');
const KIND = utf8.encode(',"kind":');
const START_TIME = utf8.encode(',"startTimeUnixNano":');
const END_TIME = utf8.encode(',"endTimeUnixNano":');
const ATTRIBUTES = utf8.encode(',"attributes":');
const PLAIN_TAIL = utf8.encode(',"droppedAttributesCount":0,"events":[],"droppedEventsCount":0,"status":{"code":0},"links":[],"droppedLinksCount":0,"flags":');
const STRING_VALUE = utf8.encode('{"stringValue":');
const INT_VALUE = utf8.encode('{"intValue":');
const DOUBLE_VALUE = utf8.encode('{"doubleValue":');
const TRUE_VALUE = utf8.encode('{"boolValue":true}');
const FALSE_VALUE = utf8.encode('{"boolValue":false}');

function writeSpan(w: ByteWriter, span: ReadableSpan, transform: SpanTransform): void {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext;
  const status = transform.status(span.status);
  const traceState = ctx.traceState?.serialize();
  w.bytes(TRACE_ID);
  w.str(ctx.traceId);
  w.bytes(SPAN_ID);
  w.str(ctx.spanId);
  if (parent?.spanId) {
    w.bytes(PARENT_SPAN_ID);
    w.str(parent.spanId);
  }
  if (traceState !== undefined) {
    w.raw(',"traceState":');
    w.str(traceState);
  }
  w.bytes(NAME);
  w.str(span.name);
  w.bytes(KIND);
  w.num(span.kind == null ? 0 : span.kind + 1);
  w.bytes(START_TIME);
  writeTime(w, (span as Partial<MillisecondTimes>).startMs, span, 'startTime');
  w.bytes(END_TIME);
  writeTime(w, (span as Partial<MillisecondTimes>).endMs, span, 'endTime');
  w.bytes(ATTRIBUTES);
  writeAttributes(w, transform.attributes(span.attributes));
  const flagsValue = flags(ctx.traceFlags, parent?.isRemote);
  if (
    span.droppedAttributesCount === 0 &&
    span.events.length === 0 &&
    span.droppedEventsCount === 0 &&
    status.code === SpanStatusCode.UNSET &&
    status.message === undefined &&
    span.links.length === 0 &&
    span.droppedLinksCount === 0
  ) {
    w.bytes(PLAIN_TAIL);
  } else {
    w.raw(',"droppedAttributesCount":');
    w.num(span.droppedAttributesCount);
    w.raw(',"events":');
    writeList(w, span.events, (event) => writeEvent(w, event, transform));
    w.raw(',"droppedEventsCount":');
    w.num(span.droppedEventsCount);
    w.raw(',"status":{"code":');
    w.num(status.code);
    if (status.message !== undefined) {
      w.raw(',"message":');
      w.str(status.message);
    }
    w.raw('}');
    w.raw(',"links":');
    writeList(w, span.links, (link) => writeLink(w, link, transform));
    w.raw(',"droppedLinksCount":');
    w.num(span.droppedLinksCount);
    w.raw(',"flags":');
  }
  w.num(flagsValue);
  w.byte(CLOSE_BRACE);
}

/**
 * A span that keeps its times as epoch milliseconds (tracer.ts's RecordingSpan): they are written
 * as nanoseconds without going through an HrTime.
 */
export interface MillisecondTimes {
  readonly startMs: number | HrTime;
  readonly endMs: number | HrTime;
}

/** A span time as OTLP/JSON's quoted nanoseconds: from whole epoch milliseconds when the span keeps them, else from its HrTime. */
function writeTime(w: ByteWriter, ms: number | HrTime | undefined, span: ReadableSpan, field: 'startTime' | 'endTime'): void {
  if (typeof ms === 'number' && Number.isInteger(ms) && ms > 0 && ms < 1e15) {
    if (ms !== lastMs) {
      lastMs = ms;
      lastTimeLength = encodeTime(ms, lastTime);
    }
    w.bytes(lastTime, lastTimeLength);
  } else w.raw(nanos(span[field]));
}

/**
 * The last millisecond time written, as its quoted nanoseconds: the spans of a message mostly share
 * their times (workerd's clock stands still while JavaScript runs), and a time's digits cost more
 * than copying them. Encoded into this one array, so a new time allocates nothing.
 */
let lastMs = 0;
const lastTime = new Uint8Array(24);
let lastTimeLength = 0;

/** `"<ms>000000"` into `out`, for whole milliseconds below 10^15; its length. */
function encodeTime(ms: number, out: Uint8Array): number {
  out[0] = QUOTE;
  const end = putDigits(out, 1, digitCount(ms), ms);
  for (let at = end; at < end + 6; at++) out[at] = 48;
  out[end + 6] = QUOTE;
  return end + 7;
}

/** How many decimal digits a whole number from 0 has. */
function digitCount(value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

/** The `digits` decimal digits of a whole number from 0 into `out` from `at`; where they end. */
function putDigits(out: Uint8Array, at: number, digits: number, value: number): number {
  const end = at + digits;
  let rest = value;
  for (let i = end - 1; i >= at; i--) {
    out[i] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return end;
}

function writeEvent(w: ByteWriter, event: TimedEvent, transform: SpanTransform): void {
  w.raw('{"attributes":');
  if (event.attributes) writeAttributes(w, transform.attributes(event.attributes));
  else w.raw('[]');
  w.raw(',"name":');
  w.str(event.name);
  w.raw(',"timeUnixNano":');
  w.raw(nanos(event.time));
  w.raw(',"droppedAttributesCount":');
  w.num(event.droppedAttributesCount || 0);
  w.raw('}');
}

function writeLink(w: ByteWriter, link: Link, transform: SpanTransform): void {
  const traceState = link.context.traceState?.serialize();
  w.raw('{"attributes":');
  if (link.attributes) writeAttributes(w, transform.attributes(link.attributes));
  else w.raw('[]');
  w.raw(',"spanId":');
  w.str(link.context.spanId);
  w.raw(',"traceId":');
  w.str(link.context.traceId);
  if (traceState !== undefined) {
    w.raw(',"traceState":');
    w.str(traceState);
  }
  w.raw(',"droppedAttributesCount":');
  w.num(link.droppedAttributesCount || 0);
  w.raw(',"flags":');
  w.num(flags(link.context.traceFlags, link.context.isRemote));
  w.raw('}');
}

function writeList<T>(w: ByteWriter, items: readonly T[], write: (item: T) => void): void {
  w.raw('[');
  for (let i = 0; i < items.length; i++) {
    if (i > 0) w.raw(',');
    write(items[i]);
  }
  w.raw(']');
}

// OTLP span flags: the low 8 bits are the W3C trace flags, 0x100 says whether the parent is remote is known, 0x200 that it is.
function flags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
}

/** Attribute keys repeat in every span: each one's `{"key":"…","value":` escaped once. Bounded: keys come from code, not input. */
const keyPrefixes = new Map<string, Uint8Array>();

function writeAttributes(w: ByteWriter, attributes: Attributes): void {
  let first = true;
  for (const key in attributes) {
    w.byte(first ? OPEN_BRACKET : COMMA);
    first = false;
    let prefix = keyPrefixes.get(key);
    if (prefix === undefined) {
      prefix = utf8.encode(`{"key":${JSON.stringify(key)},"value":`);
      if (keyPrefixes.size < 1_000) keyPrefixes.set(key, prefix);
    }
    w.bytes(prefix);
    writeAnyValue(w, attributes[key]);
    w.byte(CLOSE_BRACE);
  }
  if (first) w.raw('[]');
  else w.byte(CLOSE_BRACKET);
}

function writeAnyValue(w: ByteWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.bytes(STRING_VALUE);
      w.str(value);
      w.byte(CLOSE_BRACE);
      return;
    case 'number':
      w.bytes(Number.isInteger(value) ? INT_VALUE : DOUBLE_VALUE);
      w.num(value);
      w.byte(CLOSE_BRACE);
      return;
    case 'boolean':
      w.bytes(value ? TRUE_VALUE : FALSE_VALUE);
      return;
  }
  if (value instanceof Uint8Array) {
    w.raw('{"bytesValue":');
    w.str(base64(value));
    w.raw('}');
  } else if (Array.isArray(value)) {
    w.raw('{"arrayValue":{"values":');
    writeList(w, value as unknown[], (item) => writeAnyValue(w, item));
    w.raw('}}');
  } else if (typeof value === 'object' && value !== null) {
    w.raw('{"kvlistValue":{"values":');
    writeList(w, Object.keys(value), (key) => {
      w.raw('{"key":');
      w.str(key);
      w.raw(',"value":');
      writeAnyValue(w, (value as Record<string, unknown>)[key]);
      w.raw('}');
    });
    w.raw('}}');
  } else w.raw('{}');
}

function base64(bytes: Uint8Array): string {
  let chars = '';
  for (let i = 0; i < bytes.length; i++) chars += String.fromCharCode(bytes[i]);
  return btoa(chars);
}

/** The resource's and each scope's block, written once per object and kept (the export view hands out one resource object per isolate, ours one scope per tracer). */
const blocks = new WeakMap<object, Uint8Array>();

function resourceJson(resource: Resource): Uint8Array {
  let block = blocks.get(resource);
  if (block === undefined) {
    const w = new ByteWriter();
    w.raw('{"attributes":');
    writeAttributes(w, resource.attributes);
    w.raw(',"droppedAttributesCount":');
    w.num(0);
    if (resource.schemaUrl) {
      w.raw(',"schemaUrl":');
      w.str(resource.schemaUrl);
    }
    w.raw('}');
    blocks.set(resource, (block = joined(w.parts())));
  }
  return block;
}

function scopeJson(scope: Scope): Uint8Array {
  let block = blocks.get(scope);
  if (block === undefined) {
    const w = new ByteWriter();
    const { attributes, droppedAttributesCount } = scope as { attributes?: Attributes; droppedAttributesCount?: number };
    w.raw('{"name":');
    w.str(scope.name);
    if (scope.version !== undefined) {
      w.raw(',"version":');
      w.str(scope.version);
    }
    if (attributes && Object.keys(attributes).length > 0) {
      w.raw(',"attributes":');
      writeAttributes(w, attributes);
      w.raw(',"droppedAttributesCount":');
      w.num(droppedAttributesCount ?? 0);
    }
    w.raw('}');
    blocks.set(scope, (block = joined(w.parts())));
  }
  return block;
}

/** An HrTime [seconds, nanoseconds] as the quoted decimal nanoseconds OTLP/JSON uses, without BigInt in the usual case. */
function nanos(time: HrTime): string {
  const seconds = Math.trunc(time[0]);
  const ns = Math.trunc(time[1]);
  if (seconds <= 0 || ns < 0 || ns >= 1e9) return `"${(BigInt(seconds) * 1_000_000_000n + BigInt(ns)).toString()}"`;
  return `"${seconds}${String(ns).padStart(9, '0')}"`;
}
