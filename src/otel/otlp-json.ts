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
    bytes.write((bytes.length === 0 ? '' : ',') + spanJson(span, this.transform));
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
      text(`${firstResource ? '' : ','}{"resource":${resourceJson(resource)},"scopeSpans":[`);
      firstResource = false;
      let firstScope = true;
      for (const { scope, bytes } of scopes.values()) {
        text(`${firstScope ? '' : ','}{"scope":${scopeJson(scope)},"spans":[`);
        firstScope = false;
        parts.push(...bytes.parts());
        text(`]${scope.schemaUrl === undefined ? '' : `,"schemaUrl":${JSON.stringify(scope.schemaUrl)}`}}`);
      }
      text(`]${resource.schemaUrl ? `,"schemaUrl":${JSON.stringify(resource.schemaUrl)}` : ''}}`);
    }
    text(']}');
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

/**
 * UTF-8 bytes written piece by piece into fixed-size chunks: a span's JSON is encoded as soon as it
 * is written (a template's result is a tree of string pieces until then, which the collector would
 * have to trace), and a full chunk is never copied to grow; the chunks are joined once, by `bytes()`.
 */
class ByteWriter {
  private readonly full: Uint8Array[] = [];
  private chunk = new Uint8Array(CHUNK_BYTES);
  private used = 0;
  length = 0;

  write(part: string): void {
    let rest = part;
    for (;;) {
      const { read, written } = utf8.encodeInto(rest, this.used === 0 ? this.chunk : this.chunk.subarray(this.used));
      this.used += written;
      this.length += written;
      if (read === rest.length) return;
      // The chunk is full (encodeInto never splits a character): the rest goes into a new one.
      rest = rest.slice(read);
      this.full.push(this.chunk.subarray(0, this.used));
      this.chunk = new Uint8Array(Math.max(CHUNK_BYTES, rest.length * 3));
      this.used = 0;
    }
  }

  /** The chunks written, in order (views, not copies). */
  parts(): Uint8Array[] {
    return this.used === 0 ? this.full : [...this.full, this.chunk.subarray(0, this.used)];
  }
}

const CHUNK_BYTES = 64 * 1024;

const utf8 = new TextEncoder();

const resources = new WeakMap<object, string>();
function resourceJson(resource: Resource): string {
  let json = resources.get(resource);
  if (json === undefined) {
    json = `{"attributes":${attributesJson(resource.attributes)},"droppedAttributesCount":0${resource.schemaUrl ? `,"schemaUrl":${JSON.stringify(resource.schemaUrl)}` : ''}}`;
    resources.set(resource, json);
  }
  return json;
}

const scopes = new WeakMap<object, string>();
function scopeJson(scope: ReadableSpan['instrumentationScope']): string {
  let json = scopes.get(scope);
  if (json === undefined) {
    const attributes = (scope as { attributes?: Attributes; droppedAttributesCount?: number }).attributes;
    json =
      `{"name":${JSON.stringify(scope.name)}${scope.version === undefined ? '' : `,"version":${JSON.stringify(scope.version)}`}` +
      (attributes && Object.keys(attributes).length > 0
        ? `,"attributes":${attributesJson(attributes)},"droppedAttributesCount":${num((scope as { droppedAttributesCount?: number }).droppedAttributesCount ?? 0)}`
        : '') +
      '}';
    scopes.set(scope, json);
  }
  return json;
}

/**
 * What most spans end with: no dropped counts, events, links or status; one string instead of
 * nine pieces (each `+` of a string is an object the collector traces until the body is encoded).
 */
const PLAIN_TAIL = ',"droppedAttributesCount":0,"events":[],"droppedEventsCount":0,"status":{"code":0},"links":[],"droppedLinksCount":0,"flags":';

function spanJson(span: ReadableSpan, transform: SpanTransform): string {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext;
  const status = transform.status(span.status);
  const traceState = ctx.traceState?.serialize();
  const head =
    `{"traceId":${str(ctx.traceId)},"spanId":${str(ctx.spanId)}` +
    (parent?.spanId ? `,"parentSpanId":${str(parent.spanId)}` : '') +
    (traceState === undefined ? '' : `,"traceState":${str(traceState)}`) +
    `,"name":${str(span.name)},"kind":${span.kind == null ? 0 : span.kind + 1}` +
    `,"startTimeUnixNano":${timeNanos((span as Partial<MillisecondTimes>).startMs, span, 'startTime')}` +
    `,"endTimeUnixNano":${timeNanos((span as Partial<MillisecondTimes>).endMs, span, 'endTime')}` +
    `,"attributes":${attributesJson(transform.attributes(span.attributes))}`;
  const flagsJson = flags(ctx.traceFlags, parent?.isRemote);
  if (
    span.droppedAttributesCount === 0 &&
    span.events.length === 0 &&
    span.droppedEventsCount === 0 &&
    status.code === SpanStatusCode.UNSET &&
    status.message === undefined &&
    span.links.length === 0 &&
    span.droppedLinksCount === 0
  ) {
    return `${head}${PLAIN_TAIL}${flagsJson}}`;
  }
  return (
    `${head},"droppedAttributesCount":${num(span.droppedAttributesCount)}` +
    `,"events":${span.events.length === 0 ? '[]' : list(span.events, (event) => eventJson(event, transform))},"droppedEventsCount":${num(span.droppedEventsCount)}` +
    `,"status":{"code":${num(status.code)}${status.message === undefined ? '' : `,"message":${str(status.message)}`}}` +
    `,"links":${span.links.length === 0 ? '[]' : list(span.links, (link) => linkJson(link, transform))},"droppedLinksCount":${num(span.droppedLinksCount)}` +
    `,"flags":${flagsJson}}`
  );
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
function timeNanos(ms: number | HrTime | undefined, span: ReadableSpan, field: 'startTime' | 'endTime'): string {
  return typeof ms === 'number' && Number.isInteger(ms) && ms > 0 ? `"${ms}000000"` : nanos(span[field]);
}

function eventJson(event: TimedEvent, transform: SpanTransform): string {
  return (
    `{"attributes":${event.attributes ? attributesJson(transform.attributes(event.attributes)) : '[]'},"name":${str(event.name)}` +
    `,"timeUnixNano":${nanos(event.time)},"droppedAttributesCount":${num(event.droppedAttributesCount || 0)}}`
  );
}

function linkJson(link: Link, transform: SpanTransform): string {
  const traceState = link.context.traceState?.serialize();
  return (
    `{"attributes":${link.attributes ? attributesJson(transform.attributes(link.attributes)) : '[]'},"spanId":${str(link.context.spanId)},"traceId":${str(link.context.traceId)}` +
    (traceState === undefined ? '' : `,"traceState":${str(traceState)}`) +
    `,"droppedAttributesCount":${num(link.droppedAttributesCount || 0)},"flags":${flags(link.context.traceFlags, link.context.isRemote)}}`
  );
}

function list<T>(items: readonly T[], json: (item: T) => string): string {
  if (items.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < items.length; i++) out += (i === 0 ? '' : ',') + json(items[i]);
  return `${out}]`;
}

// OTLP span flags: the low 8 bits are the W3C trace flags, 0x100 says whether the parent is remote is known, 0x200 that it is.
function flags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
}

/**
 * Attribute keys repeat in every span, and many of their values do too (`messaging.system`, a
 * queue's name): per key, the key escaped once and the last value's whole pair, reused while the
 * value stays the same. Bounded: keys come from code, not input.
 */
interface KeyJson {
  prefix: string;
  value: unknown;
  pair: string;
}
const keys = new Map<string, KeyJson>();

function pairJson(key: string, value: unknown): string {
  let known = keys.get(key);
  if (known === undefined) {
    known = { prefix: `{"key":${JSON.stringify(key)},"value":`, value: undefined, pair: '' };
    if (keys.size < 1_000) keys.set(key, known);
  } else if (known.value === value && known.pair !== '') return known.pair;
  const pair = `${known.prefix}${anyValueJson(value)}}`;
  // Only primitives: an array value is a new object each time.
  if (typeof value !== 'object') {
    known.value = value;
    known.pair = pair;
  }
  return pair;
}

function attributesJson(attributes: Attributes): string {
  let out = '';
  for (const key in attributes) out += out === '' ? `[${pairJson(key, attributes[key])}` : `,${pairJson(key, attributes[key])}`;
  return out === '' ? '[]' : `${out}]`;
}

function anyValueJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `{"stringValue":${str(value)}}`;
    case 'number':
      return Number.isInteger(value) ? `{"intValue":${num(value)}}` : `{"doubleValue":${num(value)}}`;
    case 'boolean':
      return value ? '{"boolValue":true}' : '{"boolValue":false}';
  }
  if (value instanceof Uint8Array) return `{"bytesValue":${str(base64(value))}}`;
  if (Array.isArray(value)) return `{"arrayValue":{"values":${list(value as unknown[], anyValueJson)}}}`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value).map((key) => `{"key":${str(key)},"value":${anyValueJson((value as Record<string, unknown>)[key])}}`);
    return `{"kvlistValue":{"values":[${entries.join(',')}]}}`;
  }
  return '{}';
}

function base64(bytes: Uint8Array): string {
  let chars = '';
  for (let i = 0; i < bytes.length; i++) chars += String.fromCharCode(bytes[i]);
  return btoa(chars);
}

/**
 * A JSON string: most values (ids, names, plain text) need no escaping, and a regex test
 * and a template are cheaper than JSON.stringify's own setup for them. Any character JSON.stringify
 * could escape (quote, backslash, a control character, a surrogate, which might be a lone one) sends
 * the string to JSON.stringify itself.
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const str = (value: string): string => (NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`);
/** As JSON.stringify writes a number (NaN and ±Infinity as null). */
const num = (value: number): string => (Number.isFinite(value) ? String(value) : 'null');

/** An HrTime [seconds, nanoseconds] as the quoted decimal nanoseconds OTLP/JSON uses, without BigInt in the usual case. */
function nanos(time: HrTime): string {
  const seconds = Math.trunc(time[0]);
  const ns = Math.trunc(time[1]);
  if (seconds <= 0 || ns < 0 || ns >= 1e9) return `"${(BigInt(seconds) * 1_000_000_000n + BigInt(ns)).toString()}"`;
  return `"${seconds}${String(ns).padStart(9, '0')}"`;
}
