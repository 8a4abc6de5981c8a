/**
 * A real OTLP/HTTP receiver for tests and `npm run trace-view`.
 *
 * It accepts what a collector accepts on :4318 (POST /v1/traces, /v1/logs and
 * /v1/metrics; OTLP/JSON or protobuf; optionally gzip/deflate), normalises
 * spans and logs into plain objects, and can misbehave on demand (down,
 * 500, slow) so exporter failure paths can be tested against a real socket.
 *
 * Spec: https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
import { buffer } from 'node:stream/consumers';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
// The generated static protobuf module of the OTLP protos, shipped with the
// JS exporters. Its .d.ts only says `Root`, so the parts used are typed below.
import generatedOtlpRoot from '@opentelemetry/otlp-transformer/build/src/generated/root.js';

// ---------------------------------------------------------------------------
// Public types

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export type SpanKindName = 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
export type StatusCodeName = 'UNSET' | 'OK' | 'ERROR';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKindName;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  durationMs: number;
  attributes: Attributes;
  status: { code: StatusCodeName; message?: string };
  events: Array<{ name: string; timeUnixNano: bigint; attributes: Attributes }>;
  links: Array<{ traceId: string; spanId: string; attributes: Attributes }>;
  serviceName: string;
  resource: Attributes;
  scope: string;
}

export interface ReceivedLog {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  body: AttributeValue;
  attributes: Attributes;
  traceId?: string;
  spanId?: string;
  serviceName: string;
  resource: Attributes;
  scope: string;
}

export interface ReceivedPost {
  path: string;
  contentType: string;
  /** Bytes on the wire, i.e. before decompression. */
  bytes: number;
  spanCount: number;
  /** The traces its spans belong to: what tells one test's exports from another's on a shared receiver. */
  traceIds: string[];
  logCount: number;
  headers: Record<string, string>;
  /** The HTTP status the receiver answered (or will answer, in 'slow' mode). */
  status: number;
}

export type ReceiverMode = 'ok' | 'fail500' | 'slow' | 'down';

export interface OtlpReceiverOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1; use '::' to accept both loopbacks (trace-view). */
  host?: string;
}

export interface OtlpReceiver {
  /** Base URL, i.e. the value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  readonly port: number;
  /** Live arrays: they grow as exports arrive and are emptied by clear(). */
  readonly spans: ReceivedSpan[];
  readonly logs: ReceivedLog[];
  readonly posts: ReceivedPost[];
  /**
   * 'down' closes the listening socket (and open keep-alive connections) so
   * clients get ECONNREFUSED; any other mode reopens it on the same port.
   * The promise settles once the socket matches the mode; await it before
   * exporting, or an exporter may still reuse a pooled connection.
   */
  setMode(mode: ReceiverMode, opts?: { delayMs?: number }): Promise<void>;
  /** Resolves with a snapshot of all spans once `predicate` holds. */
  waitForSpans(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  spansOfTrace(traceId: string): ReceivedSpan[];
  /** Called with each export's spans, after they were added to `spans`. */
  onSpans(listener: (spans: ReceivedSpan[]) => void): () => void;
  clear(): void;
  close(): Promise<void>;
}

const DEFAULT_SLOW_DELAY_MS = 15_000;
const DEFAULT_WAIT_TIMEOUT_MS = 5_000;
const CLIENT_SETTLE_MS = 20;

// ---------------------------------------------------------------------------
// OTLP wire shapes, shared by OTLP/JSON and protobuf `toObject` output (both
// use lowerCamelCase field names). Ids are hex strings in JSON and bytes in
// protobuf; int64s are strings or numbers; enums are numbers or names.

type OtlpBytes = string | Uint8Array;
type OtlpInt64 = string | number;
type OtlpEnum = string | number;

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: OtlpInt64;
  doubleValue?: number | string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: OtlpBytes;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpResource {
  attributes?: OtlpKeyValue[];
}
interface OtlpScope {
  name?: string;
}
interface OtlpSpan {
  traceId?: OtlpBytes;
  spanId?: OtlpBytes;
  parentSpanId?: OtlpBytes;
  name?: string;
  kind?: OtlpEnum;
  startTimeUnixNano?: OtlpInt64;
  endTimeUnixNano?: OtlpInt64;
  attributes?: OtlpKeyValue[];
  events?: Array<{ timeUnixNano?: OtlpInt64; name?: string; attributes?: OtlpKeyValue[] }>;
  links?: Array<{ traceId?: OtlpBytes; spanId?: OtlpBytes; attributes?: OtlpKeyValue[] }>;
  status?: { code?: OtlpEnum; message?: string };
}
interface OtlpTracesRequest {
  resourceSpans?: Array<{ resource?: OtlpResource; scopeSpans?: Array<{ scope?: OtlpScope; spans?: OtlpSpan[] }> }>;
}
interface OtlpLogRecord {
  timeUnixNano?: OtlpInt64;
  observedTimeUnixNano?: OtlpInt64;
  severityNumber?: OtlpEnum;
  severityText?: string;
  body?: OtlpAnyValue;
  attributes?: OtlpKeyValue[];
  traceId?: OtlpBytes;
  spanId?: OtlpBytes;
}
interface OtlpLogsRequest {
  resourceLogs?: Array<{ resource?: OtlpResource; scopeLogs?: Array<{ scope?: OtlpScope; logRecords?: OtlpLogRecord[] }> }>;
}

// ---------------------------------------------------------------------------
// Protobuf codec (generated code from @opentelemetry/otlp-transformer)

interface GeneratedMessageType {
  fromObject(object: object): object;
  decode(bytes: Uint8Array): unknown;
  encode(message: object): { finish(): Uint8Array };
  toObject(message: unknown, options: { longs: StringConstructor; enums: NumberConstructor }): unknown;
}
interface GeneratedOtlpRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: { v1: { ExportTraceServiceRequest: GeneratedMessageType; ExportTraceServiceResponse: GeneratedMessageType } };
        logs: { v1: { ExportLogsServiceRequest: GeneratedMessageType; ExportLogsServiceResponse: GeneratedMessageType } };
        metrics: { v1: { ExportMetricsServiceResponse: GeneratedMessageType } };
      };
    };
  };
}

/** The OTLP protobuf message types, also handy for tests that hand-craft payloads. */
export const otlpProto = (generatedOtlpRoot as unknown as GeneratedOtlpRoot).opentelemetry.proto.collector;

function decodeProtobuf<T>(type: GeneratedMessageType, bytes: Uint8Array): T {
  return type.toObject(type.decode(bytes), { longs: String, enums: Number }) as T;
}

// ---------------------------------------------------------------------------
// Normalisation: OTLP wire shapes → ReceivedSpan / ReceivedLog

const HEX_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/i;

/** Lowercase hex; accepts hex (OTLP/JSON), base64 (proto3 JSON) and bytes. All-zero ids mean "none". */
function hexOf(bytes: Iterable<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function toHexId(id: OtlpBytes | undefined): string | undefined {
  if (id === undefined || id.length === 0) return undefined;
  const hex = typeof id !== 'string' ? hexOf(id) : HEX_ID.test(id) ? id.toLowerCase() : hexOf(Uint8Array.from(atob(id), (c) => c.charCodeAt(0)));
  return /^0+$/.test(hex) ? undefined : hex;
}

function toBigInt(value: OtlpInt64 | undefined): bigint {
  if (value === undefined || value === '') return 0n;
  return typeof value === 'number' ? BigInt(Math.trunc(value)) : BigInt(value);
}

function toAttributeValue(value: OtlpAnyValue | undefined): AttributeValue {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const big = toBigInt(value.intValue);
    // Keep precision rather than silently rounding huge int64s.
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
  }
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(toAttributeValue);
  if (value.kvlistValue) return toAttributes(value.kvlistValue.values);
  if (value.bytesValue !== undefined) {
    return typeof value.bytesValue === 'string' ? value.bytesValue : btoa(String.fromCharCode(...value.bytesValue));
  }
  return null;
}

function toAttributes(keyValues: OtlpKeyValue[] | undefined): Attributes {
  const attributes: Attributes = {};
  for (const { key, value } of keyValues ?? []) attributes[key] = toAttributeValue(value);
  return attributes;
}

// OTLP enum numbering (note: OTLP kinds are the API's SpanKind + 1).
const SPAN_KINDS: readonly SpanKindName[] = ['INTERNAL', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_CODES: readonly StatusCodeName[] = ['UNSET', 'OK', 'ERROR'];

function toSpanKind(kind: OtlpEnum | undefined): SpanKindName {
  if (typeof kind === 'string') {
    const name = kind.replace(/^SPAN_KIND_/, '');
    // UNSPECIFIED may be treated as INTERNAL, per the OTLP spec.
    return (SPAN_KINDS as readonly string[]).includes(name) ? (name as SpanKindName) : 'INTERNAL';
  }
  return SPAN_KINDS[kind ?? 0] ?? 'INTERNAL';
}

function toStatusCode(code: OtlpEnum | undefined): StatusCodeName {
  if (typeof code === 'string') {
    const name = code.replace(/^STATUS_CODE_/, '');
    return (STATUS_CODES as readonly string[]).includes(name) ? (name as StatusCodeName) : 'UNSET';
  }
  return STATUS_CODES[code ?? 0] ?? 'UNSET';
}

function toSeverityNumber(severity: OtlpEnum | undefined): number {
  if (typeof severity === 'number') return severity;
  // Names are SEVERITY_NUMBER_TRACE .. SEVERITY_NUMBER_FATAL4 (1..24).
  const match = /^SEVERITY_NUMBER_([A-Z]+)([2-4]?)$/.exec(severity ?? '');
  if (!match) return 0;
  const level = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].indexOf(match[1]);
  return level < 0 ? 0 : level * 4 + Number(match[2] || 1);
}

function serviceNameOf(resource: Attributes): string {
  const name = resource[ATTR_SERVICE_NAME];
  return typeof name === 'string' ? name : 'unknown_service';
}

export function normalizeTraces(request: OtlpTracesRequest): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = toAttributes(resourceSpans.resource?.attributes);
    const serviceName = serviceNameOf(resource);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scope = scopeSpans.scope?.name ?? '';
      for (const span of scopeSpans.spans ?? []) {
        const startTimeUnixNano = toBigInt(span.startTimeUnixNano);
        const endTimeUnixNano = toBigInt(span.endTimeUnixNano);
        const parentSpanId = toHexId(span.parentSpanId);
        const statusMessage = span.status?.message;
        spans.push({
          traceId: toHexId(span.traceId) ?? '',
          spanId: toHexId(span.spanId) ?? '',
          ...(parentSpanId ? { parentSpanId } : {}),
          name: span.name ?? '',
          kind: toSpanKind(span.kind),
          startTimeUnixNano,
          endTimeUnixNano,
          durationMs: Number(endTimeUnixNano - startTimeUnixNano) / 1e6,
          attributes: toAttributes(span.attributes),
          status: { code: toStatusCode(span.status?.code), ...(statusMessage ? { message: statusMessage } : {}) },
          events: (span.events ?? []).map((event) => ({
            name: event.name ?? '',
            timeUnixNano: toBigInt(event.timeUnixNano),
            attributes: toAttributes(event.attributes),
          })),
          links: (span.links ?? []).map((link) => ({
            traceId: toHexId(link.traceId) ?? '',
            spanId: toHexId(link.spanId) ?? '',
            attributes: toAttributes(link.attributes),
          })),
          serviceName,
          resource,
          scope,
        });
      }
    }
  }
  return spans;
}

export function normalizeLogs(request: OtlpLogsRequest): ReceivedLog[] {
  const logs: ReceivedLog[] = [];
  for (const resourceLogs of request.resourceLogs ?? []) {
    const resource = toAttributes(resourceLogs.resource?.attributes);
    const serviceName = serviceNameOf(resource);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const scope = scopeLogs.scope?.name ?? '';
      for (const record of scopeLogs.logRecords ?? []) {
        const traceId = toHexId(record.traceId);
        const spanId = toHexId(record.spanId);
        logs.push({
          timeUnixNano: toBigInt(record.timeUnixNano),
          observedTimeUnixNano: toBigInt(record.observedTimeUnixNano),
          severityNumber: toSeverityNumber(record.severityNumber),
          severityText: record.severityText ?? '',
          body: toAttributeValue(record.body),
          attributes: toAttributes(record.attributes),
          ...(traceId ? { traceId } : {}),
          ...(spanId ? { spanId } : {}),
          serviceName,
          resource,
          scope,
        });
      }
    }
  }
  return logs;
}

// ---------------------------------------------------------------------------
// HTTP: request parsing and answering

type Signal = 'traces' | 'logs' | 'metrics';
type Encoding = 'json' | 'protobuf';

const SIGNAL_BY_PATH: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/logs': 'logs', '/v1/metrics': 'metrics' };
const CONTENT_TYPES: Record<Encoding, string> = { json: 'application/json', protobuf: 'application/x-protobuf' };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function encodingOf(contentType: string): Encoding {
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  if (mediaType === CONTENT_TYPES.json) return 'json';
  if (mediaType === CONTENT_TYPES.protobuf) return 'protobuf';
  throw new HttpError(415, `unsupported content-type '${contentType}'`);
}

function decompress(body: Buffer, contentEncoding: string | undefined): Buffer {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body);
    if (encoding === 'deflate') return inflateSync(body);
  } catch (error) {
    throw new HttpError(400, `cannot decompress ${encoding} body: ${(error as Error).message}`);
  }
  if (encoding === 'identity') return body;
  throw new HttpError(415, `unsupported content-encoding '${encoding}'`);
}

interface DecodedExport {
  spans: ReceivedSpan[];
  logs: ReceivedLog[];
}

function decodeExport(signal: Signal, encoding: Encoding, body: Buffer): DecodedExport {
  try {
    if (signal === 'metrics') return { spans: [], logs: [] }; // acknowledged, not inspected
    if (encoding === 'json') {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null) throw new Error('body is not a JSON object');
      return signal === 'traces' ? { spans: normalizeTraces(parsed), logs: [] } : { spans: [], logs: normalizeLogs(parsed) };
    }
    return signal === 'traces'
      ? { spans: normalizeTraces(decodeProtobuf(otlpProto.trace.v1.ExportTraceServiceRequest, body)), logs: [] }
      : { spans: [], logs: normalizeLogs(decodeProtobuf(otlpProto.logs.v1.ExportLogsServiceRequest, body)) };
  } catch (error) {
    throw new HttpError(400, `cannot decode ${encoding} ${signal} export: ${(error as Error).message}`);
  }
}

/** An empty Export*ServiceResponse: `{}` in JSON, zero bytes in protobuf. */
function successBody(signal: Signal, encoding: Encoding): Uint8Array | string {
  if (encoding === 'json') return '{}';
  const responseType = {
    traces: otlpProto.trace.v1.ExportTraceServiceResponse,
    logs: otlpProto.logs.v1.ExportLogsServiceResponse,
    metrics: otlpProto.metrics.v1.ExportMetricsServiceResponse,
  }[signal];
  return responseType.encode({}).finish();
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return buffer(req);
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function answer(res: ServerResponse, status: number, contentType: string, body: Uint8Array | string): void {
  if (res.destroyed || res.writableEnded) return; // the client gave up or close() cut it
  res.writeHead(status, { 'content-type': contentType }).end(body);
}

/** A google.rpc.Status-shaped JSON error; protobuf clients only look at the status code. */
function answerError(res: ServerResponse, status: number, message: string): void {
  answer(res, status, CONTENT_TYPES.json, JSON.stringify({ code: status === 400 ? 3 : 13, message }));
}

// ---------------------------------------------------------------------------
// The receiver

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const host = options.host ?? '127.0.0.1';
  const spans: ReceivedSpan[] = [];
  const logs: ReceivedLog[] = [];
  const posts: ReceivedPost[] = [];
  const spanListeners = new Set<(spans: ReceivedSpan[]) => void>();
  const waiters = new Set<{ check(): void; fail(error: Error): void }>();
  const delayedAnswers = new Set<NodeJS.Timeout>();
  let mode: ReceiverMode = 'ok';
  let slowDelayMs = DEFAULT_SLOW_DELAY_MS;
  let closed = false;
  // Mode switches open/close the socket; chaining them keeps the order.
  let socketTransition: Promise<void> = Promise.resolve();

  function ingest(decoded: DecodedExport): void {
    spans.push(...decoded.spans);
    logs.push(...decoded.logs);
    if (decoded.spans.length > 0) for (const listener of spanListeners) listener(decoded.spans);
    for (const waiter of waiters) waiter.check();
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://receiver').pathname;
    const signal = SIGNAL_BY_PATH[path];
    if (!signal) return answerError(res, 404, `no OTLP endpoint at ${path}`);
    if (req.method !== 'POST') return answerError(res, 405, `${req.method} not allowed, use POST`);

    const contentType = req.headers['content-type'] ?? '';
    const encoding = encodingOf(contentType);
    const raw = await readBody(req);
    const decoded = decodeExport(signal, encoding, decompress(raw, req.headers['content-encoding']));

    const status = mode === 'fail500' ? 500 : 200;
    posts.push({
      path,
      contentType,
      bytes: raw.length,
      spanCount: decoded.spans.length,
      traceIds: [...new Set(decoded.spans.map((span) => span.traceId))],
      logCount: decoded.logs.length,
      headers: flattenHeaders(req.headers),
      status,
    });
    if (status === 500) return answerError(res, 500, 'receiver is in fail500 mode');

    // Stored on receipt, like a collector whose answer is late but whose pipeline got the data.
    ingest(decoded);
    const reply = () => answer(res, 200, CONTENT_TYPES[encoding], successBody(signal, encoding));
    if (mode !== 'slow') return reply();
    const timer = setTimeout(() => {
      delayedAnswers.delete(timer);
      reply();
    }, slowDelayMs);
    delayedAnswers.add(timer);
  }

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      answerError(res, status, (error as Error).message);
    });
  });

  function listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  async function stopListening({ settleClients }: { settleClients: boolean }): Promise<void> {
    if (!server.listening) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Keep-alive and in-flight (slow) connections would otherwise keep working or block close.
      server.closeAllConnections();
    });
    // Let clients see their pooled connections close, so their next request
    // dials anew and is refused (ECONNREFUSED) instead of reset on a dead socket.
    if (settleClients) await new Promise((resolve) => setTimeout(resolve, CLIENT_SETTLE_MS));
  }

  const port = await listen(options.port ?? 0);
  const urlHost = host === '::' || host === '0.0.0.0' ? 'localhost' : host.includes(':') ? `[${host}]` : host;

  /** Queues a socket change after the previous one, even if that one failed. */
  function changeSocket(step: () => Promise<unknown>): Promise<void> {
    socketTransition = socketTransition.catch(() => undefined).then(async () => void (await step()));
    return socketTransition;
  }

  function setMode(next: ReceiverMode, opts: { delayMs?: number } = {}): Promise<void> {
    const wasDown = mode === 'down';
    mode = next;
    slowDelayMs = opts.delayMs ?? DEFAULT_SLOW_DELAY_MS;
    let settled = socketTransition;
    if (next === 'down' && !wasDown) settled = changeSocket(() => stopListening({ settleClients: true }));
    if (next !== 'down' && wasDown) {
      settled = changeSocket(async () => {
        if (!closed && mode !== 'down') await listen(port);
      });
    }
    // Callers may ignore the promise; a failed reopen must not become an unhandled rejection.
    settled.catch(() => undefined);
    return settled;
  }

  function waitForSpans(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS) {
    return new Promise<ReceivedSpan[]>((resolve, reject) => {
      if (closed) return reject(new Error('OTLP receiver closed'));
      const waiter = {
        check() {
          let satisfied: boolean;
          try {
            satisfied = predicate(spans);
          } catch (error) {
            return waiter.fail(error as Error);
          }
          if (!satisfied) return;
          settle();
          resolve([...spans]);
        },
        fail(error: Error) {
          settle();
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        const names = spans.map((span) => `${span.serviceName}: ${span.name}`);
        waiter.fail(
          new Error(`waitForSpans timed out after ${timeoutMs} ms with ${spans.length} span(s)` + (names.length ? `:\n  ${names.join('\n  ')}` : '')),
        );
      }, timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      waiters.add(waiter);
      waiter.check();
    });
  }

  return {
    url: `http://${urlHost}:${port}`,
    port,
    spans,
    logs,
    posts,
    setMode,
    waitForSpans,
    spansOfTrace: (traceId) => spans.filter((span) => span.traceId === traceId.toLowerCase()),
    onSpans(listener) {
      spanListeners.add(listener);
      return () => spanListeners.delete(listener);
    },
    clear() {
      spans.length = 0;
      logs.length = 0;
      posts.length = 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of delayedAnswers) clearTimeout(timer);
      delayedAnswers.clear();
      for (const waiter of waiters) waiter.fail(new Error('OTLP receiver closed'));
      spanListeners.clear();
      await socketTransition.catch(() => undefined);
      await stopListening({ settleClients: false });
    },
  };
}
