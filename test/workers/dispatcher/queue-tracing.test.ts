import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/dispatcher';
import { recordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import { receivedPosts, receivedSpans, setReceiverMode } from '../control';
import { addFormat } from '../../../src/storage/format-config';
import type { Env } from '../../../src/env';

const VALID_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function body(zip: string, carrier?: unknown) {
  return {
    schema_version: 1,
    zip_code: zip,
    lat: 30.45,
    lon: -97.79,
    fetched_at: '2026-06-21T12:00:00.000Z',
    ...(carrier === undefined ? {} : { _otel: carrier }),
  };
}

function hex(n: number, seed: number): string {
  return Array.from({ length: n }, (_, i) => ((seed * 7 + i * 13) % 16).toString(16)).join('');
}

async function run(bodies: unknown[], vars: Partial<Env> = {}) {
  const landscape = recordingQueue(env.LANDSCAPE_JOBS);
  const testEnv = { ...env, ...vars, LANDSCAPE_JOBS: landscape, DEAD_LETTERS: recordingQueue(env.DEAD_LETTERS) } as unknown as Env;
  const result = await deliverBatch(
    worker,
    'weather-ready',
    bodies.map((b) => ({ body: b })),
    testEnv,
  );
  return { result, landscape };
}

/** Invalid traceparent values, after the W3C Trace Context rules (section 3.2). */
const INVALID_CARRIERS: Array<[string, unknown]> = [
  ['version ff is forbidden', { traceparent: `ff-${VALID_TRACE}-00f067aa0ba902b7-01` }],
  ['all-zero trace id', { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }],
  ['all-zero parent id', { traceparent: `00-${VALID_TRACE}-0000000000000000-01` }],
  ['trace id too short', { traceparent: `00-${VALID_TRACE.slice(1)}-00f067aa0ba902b7-01` }],
  ['parent id too long', { traceparent: `00-${VALID_TRACE}-00f067aa0ba902b7aa-01` }],
  ['upper-case hex', { traceparent: `00-${VALID_TRACE.toUpperCase()}-00F067AA0BA902B7-01` }],
  ['version 00 with an extra field', { traceparent: `00-${VALID_TRACE}-00f067aa0ba902b7-01-extra` }],
  ['flags of one digit', { traceparent: `00-${VALID_TRACE}-00f067aa0ba902b7-1` }],
  ['non-hex characters', { traceparent: `00-${VALID_TRACE.replace('a', 'g')}-00f067aa0ba902b7-01` }],
  ['garbage', { traceparent: 'not a traceparent at all' }],
  ['empty string', { traceparent: '' }],
  ['traceparent is a number', { traceparent: 42 }],
  ['carrier is a string', 'traceparent'],
  ['carrier is null', null],
  ['carrier is an array', [`00-${VALID_TRACE}-00f067aa0ba902b7-01`]],
];

describe('queue trace propagation', () => {
  beforeEach(() => memoryExporter.reset());

  it.each(INVALID_CARRIERS)('processes a message whose carrier is invalid (%s) in a new trace, saying why', async (_label, carrier) => {
    const { result, landscape } = await run([body('78729', carrier)]);
    expect(result.explicitAcks).toEqual(['m0']);
    expect(landscape.sent).toHaveLength(1);
    const process = memoryExporter.getFinishedSpans().find((s) => s.name === 'process weather-ready')!;
    expect(process.parentSpanContext).toBeUndefined();
    expect(process.spanContext().traceId).not.toBe(VALID_TRACE);
    expect(process.attributes['messaging.cloudflare_queues.carrier.status']).toBe('invalid');
    expect(process.attributes['messaging.cloudflare_queues.carrier.reason']).toEqual(expect.any(String));
    // The reserved key never reaches application code (nor the next hop, except our own fresh carrier).
    expect((landscape.sent[0] as { _otel: { traceparent: string } })._otel.traceparent).toMatch(/^00-[0-9a-f]{32}-/);
  });

  it('marks a message with no carrier at all as missing and starts a new trace', async () => {
    await run([body('78729')]);
    const process = memoryExporter.getFinishedSpans().find((s) => s.name === 'process weather-ready')!;
    expect(process.attributes['messaging.cloudflare_queues.carrier.status']).toBe('missing');
  });

  it('passes tracestate through unchanged and keeps the consumer span in the producer trace', async () => {
    const tracestate = 'vendor1=opaque-value,rojo=00f067aa0ba902b7';
    const { landscape } = await run([body('78729', { traceparent: `00-${VALID_TRACE}-00f067aa0ba902b7-01`, tracestate })]);
    expect((landscape.sent[0] as { _otel: { tracestate: string } })._otel.tracestate).toBe(tracestate);
    const process = memoryExporter.getFinishedSpans().find((s) => s.name === 'process weather-ready')!;
    expect(process.spanContext().traceId).toBe(VALID_TRACE);
    expect(process.attributes).toMatchObject({
      'messaging.system': 'cloudflare_queues',
      'messaging.operation.type': 'process',
      'messaging.message.id': 'm0',
      'messaging.cloudflare_queues.message.attempts': 1,
    });
  });

  it('exports no one-span batch trace; each process span carries the invocation id instead, and not the batch size', async () => {
    const parents = [1, 2, 3].map((i) => ({ trace: crypto.randomUUID().replaceAll('-', ''), span: hex(16, i + 10) }));
    await run(parents.map((p, i) => body(String(78000 + i), { traceparent: `00-${p.trace}-${p.span}-01` })));
    const spans = memoryExporter.getFinishedSpans();
    expect(spans.filter((s) => s.name.startsWith('queueHandler'))).toEqual([]);
    // The receiver is shared with the project's other files, which run at the same time: this run's
    // exports are the ones in its parents' traces. A batch span would be a trace of its own, so none
    // may have reached the receiver from any file.
    const received = await receivedSpans();
    const ours = received.filter((s) => parents.some((p) => p.trace === s.traceId));
    expect(ours.filter((s) => s.name === 'process weather-ready')).toHaveLength(parents.length);
    expect(received.filter((s) => s.name.startsWith('queueHandler'))).toEqual([]);
    const processes = spans.filter((s) => s.name === 'process weather-ready');
    // Each message's span is the child of its own producer, in its producer's trace.
    expect(processes.map((s) => `${s.spanContext().traceId}/${s.parentSpanContext?.spanId}`).sort()).toEqual(parents.map((p) => `${p.trace}/${p.span}`).sort());
    // The conventions keep messaging.batch.message_count off spans of one message.
    for (const process of processes) expect(process.attributes).not.toHaveProperty('messaging.batch.message_count');
    const invocations = new Set(processes.map((s) => s.attributes['faas.invocation_id']));
    expect(invocations.size).toBe(1);
    expect([...invocations][0]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('an unsampled producer context (flags 00) produces no exported span', async () => {
    const trace = hex(32, 5);
    await run([body('78729', { traceparent: `00-${trace}-${hex(16, 6)}-00` })]);
    const spans = await receivedSpans();
    expect(spans.filter((s) => s.traceId === trace)).toEqual([]);
    expect(memoryExporter.getFinishedSpans().filter((s) => s.spanContext().traceId === trace)).toEqual([]);
  });
});

describe('message sizes on send spans (Opt-In)', () => {
  beforeEach(() => memoryExporter.reset());
  const SIZE = 'messaging.message.body.size';
  const SIZES = 'messaging.cloudflare_queues.batch.body_sizes';
  const sendSpan = () => memoryExporter.getFinishedSpans().find((s) => s.name === 'send landscape-jobs')!;
  const jsonBytes = (b: unknown) => new TextEncoder().encode(JSON.stringify(b)).byteLength;

  it('leaves them out by default', async () => {
    await run([body('78729')]);
    expect(sendSpan().attributes['messaging.operation.name']).toBe('send');
    expect(sendSpan().attributes).not.toHaveProperty(SIZE);
    await addFormat(env.CONFIG, '78740', 'bw');
    await addFormat(env.CONFIG, '78740', 'rgb_dark');
    memoryExporter.reset();
    await run([body('78740')]);
    expect(sendSpan().attributes['messaging.operation.name']).toBe('send');
    expect(sendSpan().attributes).not.toHaveProperty(SIZES);
  });

  it('with TRACE_MESSAGE_BODY_SIZE=true, records each body as sent (carrier included) in UTF-8 JSON bytes', async () => {
    const one = await run([body('78729')], { TRACE_MESSAGE_BODY_SIZE: 'true' });
    expect(sendSpan().attributes[SIZE]).toBe(jsonBytes(one.landscape.sent[0]));
    await addFormat(env.CONFIG, '78741', 'bw');
    await addFormat(env.CONFIG, '78741', 'rgb_dark');
    memoryExporter.reset();
    const two = await run([body('78741')], { TRACE_MESSAGE_BODY_SIZE: 'true' });
    expect(two.landscape.sent.length).toBeGreaterThan(1);
    expect(sendSpan().attributes[SIZES]).toEqual(two.landscape.sent.map(jsonBytes));
  });
});

describe('OTLP export', () => {
  it('sends a batch of 10 messages from 10 traces in exactly one OTLP POST', async () => {
    await setReceiverMode('ok');
    const traces = Array.from({ length: 10 }, () => crypto.randomUUID().replaceAll('-', '')); // unique to this run
    await run(traces.map((t, i) => body(String(77000 + i), { traceparent: `00-${t}-${hex(16, i + 40)}-01` })));
    // Other files of the project export to the same receiver meanwhile: the POSTs of this run are
    // those carrying its traces.
    const posts = (await receivedPosts()).filter((p) => p.path === '/v1/traces' && p.traceIds.some((t) => traces.includes(t)));
    expect(posts).toHaveLength(1);
    expect([...posts[0].traceIds].sort()).toEqual([...traces].sort());
    const spans = (await receivedSpans()).filter((s) => traces.includes(s.traceId));
    for (const t of traces) expect(spans.filter((s) => s.traceId === t && s.name === 'process weather-ready')).toHaveLength(1);
    expect(posts[0].spanCount).toBe(spans.length);
  });

  it('does not fail message processing when the collector answers 500, and bounds a slow collector by the timeout', async () => {
    await setReceiverMode('fail500');
    const failing = await run([body('78729', { traceparent: `00-${hex(32, 60)}-${hex(16, 61)}-01` })]);
    expect(failing.result.explicitAcks).toEqual(['m0']);
    // The collector would answer after 60 s; OTEL_EXPORT_TIMEOUT_MS is 1 s in this project, so the
    // invocation (whose waitUntil includes the export) ends within the test's own 5 s timeout.
    await setReceiverMode('slow', 60_000);
    const slow = await run([body('78729', { traceparent: `00-${hex(32, 62)}-${hex(16, 63)}-01` })]);
    expect(slow.result.explicitAcks).toEqual(['m0']);
    await setReceiverMode('ok');
  });
});
