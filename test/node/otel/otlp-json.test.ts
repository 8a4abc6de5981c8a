import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
// The serializer the exporter package itself uses (its own copy of otlp-transformer, 0.223.1): the reference.
import { JsonTraceSerializer } from '../../../node_modules/@opentelemetry/exporter-trace-otlp-http/node_modules/@opentelemetry/otlp-transformer/build/esm/index.js';
import { createOtlpExporter, ExportView } from '../../../src/otel/exporter';
import { otlpJson, otlpJsonSerializer } from '../../../src/otel/otlp-json';
import { tracerFor } from '../../../src/otel/spans';
import { startOtlpReceiver, type OtlpReceiver } from '../../../src/otel/testing';

/** Ended spans of a real SDK tracer, covering every shape the body can hold. */
function sampleSpans(): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const collect: SpanProcessor = { onStart: () => {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} };
  const resourceA = resourceFromAttributes({ 'service.name': 'svc "a"', 'cloud.region': 'earth', 'service.version': '0.1.0' });
  const providerA = new BasicTracerProvider({ spanProcessors: [collect], resource: resourceA });
  const providerB = new BasicTracerProvider({
    spanProcessors: [collect],
    resource: resourceFromAttributes({ 'service.name': 'b' }, { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }),
  });
  const remote = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('vendor=a,other=b'),
  };
  const parent = trace.setSpanContext(ROOT_CONTEXT, remote);
  const root = providerA.getTracer('scope-a', '1.2.3').startSpan(
    'process "q"\n\u2028é',
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        s: 'text with "quotes", \\ and \u0001',
        i: 42,
        neg: -7,
        d: 1.5,
        big: 2 ** 60,
        t: true,
        f: false,
        strings: ['a', 'b'],
        numbers: [1, 2.5],
        bools: [true],
        holes: ['x', null, undefined] as unknown as string[],
        'url.full': 'https://api.example/x?appid=secret&q=1',
        // Four bytes of UTF-8 (a surrogate pair), a lone surrogate, and one value longer than a body's chunk.
        emoji: 'pin 📍 here',
        lone: 'a\ud800b',
        long: `${'é'.repeat(40_000)}📍`,
      },
    },
    parent,
  );
  root.addEvent('warned', { 'log.level': 'warn', count: 3 });
  root.addEvent('bare');
  root.addLink({
    context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: TraceFlags.NONE, traceState: new TraceState('k=v') },
    attributes: { why: 'replay' },
  });
  root.addLink({ context: { traceId: '3'.repeat(32), spanId: '4'.repeat(16), traceFlags: TraceFlags.SAMPLED, isRemote: true } });
  root.recordException(new Error('boom'));
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'failed calling https://api.example/x?appid=secret' });
  const child = providerA.getTracer('scope-a', '1.2.3').startSpan('child', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, root));
  child.end();
  providerA.getTracer('scope-c').startSpan('other scope', { attributes: {} }).end();
  providerB.getTracer('scope-b').startSpan('other resource').end();
  root.end();
  return ended;
}

describe('the OTLP/JSON body written directly (otlp-json.ts)', () => {
  it("is byte for byte what the exporter package's own serializer writes for the same spans", () => {
    const spans = sampleSpans();
    const expected = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans));
    expect(otlpJson(spans)).toBe(expected);
    expect(new TextDecoder().decode(otlpJsonSerializer.serializeRequest(spans))).toBe(expected);
  });

  it('stays byte for byte the same over a body larger than a chunk, with values that repeat and values that change', () => {
    const ended: ReadableSpan[] = [];
    const provider = new BasicTracerProvider({
      spanProcessors: [{ onStart: () => {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} }],
      resource: resourceFromAttributes({ 'service.name': 'many' }),
    });
    const tracer = provider.getTracer('scope-many');
    for (let i = 0; i < 400; i++) {
      tracer
        .startSpan(`send q${i % 3}`, {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'cloudflare_queues',
            'messaging.message.id': `m-${i}`,
            zip: i % 2 === 0 ? '73000' : 'zürich "z"',
            n: i % 4,
            ratio: i / 8,
          },
        })
        .end();
    }
    const expected = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(ended));
    expect(expected.length).toBeGreaterThan(2 * 64 * 1024);
    expect(otlpJson(ended)).toBe(expected);
  });

  it('is the same through the export view too: clean, redacted attributes, merged resource, our scopes', () => {
    const view = new ExportView({ 'deployment.environment.name': 'test' });
    const ended: ReadableSpan[] = [];
    const provider = new BasicTracerProvider({
      spanProcessors: [{ onStart: () => {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} }],
    });
    trace.setGlobalTracerProvider(provider);
    try {
      tracerFor('kv')
        .startSpan('get zip:{zip}', { attributes: { 'db.operation.name': 'get', empty: '', 'url.full': 'https://h/x?apikey=k' } })
        .end();
      tracerFor('queue')
        .startSpan('send q', { attributes: { 'messaging.batch.message_count': 5 } })
        .end();
    } finally {
      trace.disable();
    }
    const spans = [...sampleSpans(), ...ended];
    // Applied while writing, the view gives the bytes the package writes for the view's span copies.
    const body = otlpJson(spans, view);
    expect(body).toBe(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans.map((s) => view.of(s)))));
    expect(body).not.toContain('secret');
    expect(body).toContain('REDACTED');
    expect(body).toContain('"name":"workers-otel.kv"');
    expect(body).not.toContain('"empty"');
  });
});

describe('createOtlpExporter', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await receiver.close();
  });

  it("sends the directly written body through the exporter package's transport, and the receiver decodes it", async () => {
    const serialize = vi.spyOn(otlpJsonSerializer, 'serializeRequest');
    const view = new ExportView({ 'deployment.environment.name': 'test' });
    const exporter = createOtlpExporter({ url: `${receiver.url}/v1/traces`, headers: {}, timeoutMs: 5_000, view });
    const spans = sampleSpans();
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(0);
    expect(serialize).toHaveBeenCalledTimes(1);
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts[0].contentType).toContain('application/json');
    const root = receiver.spans.find((s) => s.name.startsWith('process'))!;
    expect(root.attributes['url.full']).toBe('https://api.example/x?appid=REDACTED&q=1');
    // An int64 beyond 2^53: the receiver reads it as a long, exactly.
    expect(root.attributes.big).toBe(BigInt(2 ** 60).toString());
    expect(receiver.spans.map((s) => s.name).sort()).toEqual(spans.map((s) => s.name).sort());
    await exporter.shutdown();
  });
});
