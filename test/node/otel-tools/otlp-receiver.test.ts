import { gzipSync } from 'node:zlib';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ATTR_HTTP_ROUTE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ATTR_MESSAGING_DESTINATION_NAME } from '@opentelemetry/semantic-conventions/incubating';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { otlpProto, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../../src/otel/testing';
import { NodeBuffer } from '../../support/node-buffer';
import { makeSampleTrace, QUEUE, SCOPE, type SampleTrace } from './sample-trace';

type Exporter = JsonTraceExporter | ProtoTraceExporter;

function exportSpans(exporter: Exporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

const exporters: Exporter[] = [];
function jsonExporter(receiver: OtlpReceiver, timeoutMillis = 2_000): JsonTraceExporter {
  const exporter = new JsonTraceExporter({ url: `${receiver.url}/v1/traces`, timeoutMillis });
  exporters.push(exporter);
  return exporter;
}
function protoExporter(receiver: OtlpReceiver): ProtoTraceExporter {
  const exporter = new ProtoTraceExporter({ url: `${receiver.url}/v1/traces`, timeoutMillis: 2_000 });
  exporters.push(exporter);
  return exporter;
}

function post(receiver: OtlpReceiver, path: string, body: Uint8Array | string, headers: Record<string, string>) {
  return fetch(`${receiver.url}${path}`, { method: 'POST', body, headers });
}

/** What must survive either encoding: tree links, kinds, typed attributes, links, events, status, services. */
function expectSampleTraceIntact(spans: ReceivedSpan[], sample: SampleTrace): void {
  expect(spans).toHaveLength(sample.spans.length);
  const byName = (name: string) => spans.filter((span) => span.name === name);
  const [request] = byName('GET /forecast');
  const [send] = byName(`send ${QUEUE}`);
  const consumers = byName(`process ${QUEUE}`);
  const renders = byName('render landscape');

  expect(spans.every((span) => span.traceId === sample.traceId)).toBe(true);
  expect(request).toMatchObject({ kind: 'SERVER', serviceName: 'web', scope: SCOPE, durationMs: 20 });
  expect(request.parentSpanId).toBeUndefined();
  expect(request.attributes[ATTR_HTTP_ROUTE]).toBe('/forecast');
  expect(request.resource[ATTR_SERVICE_NAME]).toBe('web');

  expect(send).toMatchObject({ kind: 'PRODUCER', serviceName: 'web', parentSpanId: request.spanId, spanId: sample.producerSpanId });
  expect(send.attributes[ATTR_MESSAGING_DESTINATION_NAME]).toBe(QUEUE);
  expect(send.endTimeUnixNano - send.startTimeUnixNano).toBe(10_000_000n);

  expect(consumers).toHaveLength(2);
  for (const consumer of consumers) {
    expect(consumer).toMatchObject({ kind: 'CONSUMER', serviceName: 'generator', parentSpanId: send.spanId });
    expect(consumer.links).toEqual([{ traceId: sample.traceId, spanId: send.spanId, attributes: { 'app.link.reason': 'queue' } }]);
    expect(consumer.attributes['app.formats']).toEqual(['png', 'webp']);
  }
  expect(consumers.map((c) => [c.attributes['app.attempt'], c.attributes['app.retried']]).sort()).toEqual([
    [1, false],
    [2, true],
  ]);

  expect(renders.map((r) => r.kind)).toEqual(['INTERNAL', 'INTERNAL']);
  expect(renders.every((r) => consumers.some((c) => c.spanId === r.parentSpanId))).toBe(true);
  expect(renders[0].events).toEqual([
    { name: 'palette chosen', timeUnixNano: renders[0].startTimeUnixNano + 10_000_000n, attributes: { 'app.palette': 'dusk' } },
  ]);
  expect(renders.map((r) => r.status).sort((a, b) => a.code.localeCompare(b.code))).toEqual([{ code: 'ERROR', message: 'font missing' }, { code: 'UNSET' }]);
}

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await Promise.all(exporters.splice(0).map((exporter) => exporter.shutdown()));
  await receiver.close();
});

describe('decoding real exporter output', () => {
  it('decodes an OTLP/JSON export from OTLPTraceExporter (exporter-trace-otlp-http)', async () => {
    const sample = makeSampleTrace();
    const result = await exportSpans(jsonExporter(receiver), sample.spans);

    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expectSampleTraceIntact(receiver.spans, sample);
    expect(receiver.posts).toMatchObject([{ path: '/v1/traces', contentType: 'application/json', spanCount: 6, status: 200 }]);
    expect(receiver.posts[0].bytes).toBeGreaterThan(0);
    expect(receiver.posts[0].headers['user-agent']).toMatch(/OTel-OTLP-Exporter-JavaScript/);
  });

  it('decodes a protobuf export from OTLPTraceExporter (exporter-trace-otlp-proto)', async () => {
    const sample = makeSampleTrace();
    const result = await exportSpans(protoExporter(receiver), sample.spans);

    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expectSampleTraceIntact(receiver.spans, sample);
    expect(receiver.posts).toMatchObject([{ contentType: 'application/x-protobuf', spanCount: 6 }]);
  });

  it('answers {} to JSON and an empty ExportTraceServiceResponse to protobuf', async () => {
    const json = await post(receiver, '/v1/traces', '{"resourceSpans":[]}', { 'content-type': 'application/json' });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.json()).toEqual({});

    const emptyRequest = otlpProto.trace.v1.ExportTraceServiceRequest.encode({}).finish();
    const proto = await post(receiver, '/v1/traces', emptyRequest, { 'content-type': 'application/x-protobuf' });
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await proto.arrayBuffer()).byteLength).toBe(0);
  });

  it('accepts gzip OTLP/JSON with enum names, numeric int64s and base64 ids', async () => {
    const traceId = '5b8efff798038103d269b633813fc60c';
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fetcher' } }] },
          scopeSpans: [
            {
              scope: { name: 'hand-written' },
              spans: [
                {
                  traceId: NodeBuffer.from(traceId, 'hex').toString('base64'),
                  spanId: 'EEE19B7EC3C1B174',
                  parentSpanId: '',
                  name: 'GET open-meteo',
                  kind: 'SPAN_KIND_CLIENT',
                  startTimeUnixNano: 1_000_000_000,
                  endTimeUnixNano: '1250000000',
                  attributes: [
                    { key: 'http.response.status_code', value: { intValue: 503 } },
                    { key: 'app.ratio', value: { doubleValue: 0.5 } },
                    { key: 'app.big', value: { intValue: '9007199254740993' } },
                  ],
                  status: { code: 'STATUS_CODE_ERROR', message: 'upstream 503' },
                },
              ],
            },
          ],
        },
      ],
    });
    const response = await post(receiver, '/v1/traces', gzipSync(body), {
      'content-type': 'application/json; charset=utf-8',
      'content-encoding': 'gzip',
    });

    expect(response.status).toBe(200);
    expect(receiver.spans).toEqual([
      {
        traceId,
        spanId: 'eee19b7ec3c1b174',
        name: 'GET open-meteo',
        kind: 'CLIENT',
        startTimeUnixNano: 1_000_000_000n,
        endTimeUnixNano: 1_250_000_000n,
        durationMs: 250,
        attributes: { 'http.response.status_code': 503, 'app.ratio': 0.5, 'app.big': '9007199254740993' },
        status: { code: 'ERROR', message: 'upstream 503' },
        events: [],
        links: [],
        serviceName: 'fetcher',
        resource: { 'service.name': 'fetcher' },
        scope: 'hand-written',
      },
    ]);
    expect(receiver.posts[0].bytes).toBe(gzipSync(body).length);
  });

  it('decodes logs in OTLP/JSON and protobuf, keeping trace correlation', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const spanId = 'b7ad6b7169203331';
    const logs = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'dispatcher' } }] },
          scopeLogs: [
            {
              scope: { name: 'console' },
              logRecords: [
                {
                  timeUnixNano: '1767225600000000000',
                  severityNumber: 'SEVERITY_NUMBER_WARN',
                  severityText: 'WARN',
                  body: { stringValue: 'queue backlog' },
                  attributes: [{ key: 'app.backlog', value: { intValue: '12' } }],
                  traceId,
                  spanId,
                },
              ],
            },
          ],
        },
      ],
    };
    const json = await post(receiver, '/v1/logs', JSON.stringify(logs), { 'content-type': 'application/json' });

    // Same payload as protobuf: ids become bytes, the enum a number.
    const record = logs.resourceLogs[0].scopeLogs[0].logRecords[0];
    const protoPayload = structuredClone(logs);
    Object.assign(protoPayload.resourceLogs[0].scopeLogs[0].logRecords[0], {
      traceId: NodeBuffer.from(traceId, 'hex'),
      spanId: NodeBuffer.from(spanId, 'hex'),
      severityNumber: 13,
    });
    const { ExportLogsServiceRequest } = otlpProto.logs.v1;
    const protoBody = ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(protoPayload)).finish();
    const proto = await post(receiver, '/v1/logs', protoBody, { 'content-type': 'application/x-protobuf' });

    expect([json.status, proto.status]).toEqual([200, 200]);
    const expected = {
      timeUnixNano: BigInt(record.timeUnixNano),
      observedTimeUnixNano: 0n,
      severityNumber: 13,
      severityText: 'WARN',
      body: 'queue backlog',
      attributes: { 'app.backlog': 12 },
      traceId,
      spanId,
      serviceName: 'dispatcher',
      resource: { 'service.name': 'dispatcher' },
      scope: 'console',
    };
    expect(receiver.logs).toEqual([expected, expected]);
    expect(receiver.posts.map((p) => [p.path, p.logCount])).toEqual([
      ['/v1/logs', 1],
      ['/v1/logs', 1],
    ]);
  });

  it('rejects what is not an OTLP export with 404, 405, 415 and 400', async () => {
    const json = { 'content-type': 'application/json' };
    expect((await post(receiver, '/v1/spans', '{}', json)).status).toBe(404);
    expect((await fetch(`${receiver.url}/v1/traces`)).status).toBe(405);
    expect((await post(receiver, '/v1/traces', '{}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(receiver, '/v1/traces', '{"resourceSpans": [', json)).status).toBe(400);
    expect((await post(receiver, '/v1/traces', 'not gzip', { ...json, 'content-encoding': 'gzip' })).status).toBe(400);
    expect(receiver.spans).toEqual([]);
  });
});

describe('waiting and querying', () => {
  it('waitForSpans resolves once later exports satisfy the predicate', async () => {
    const sample = makeSampleTrace();
    const waiting = receiver.waitForSpans((spans) => spans.some((span) => span.name === 'render landscape'));

    await exportSpans(
      jsonExporter(receiver),
      sample.spans.filter((span) => span.name !== 'render landscape'),
    );
    await exportSpans(
      jsonExporter(receiver),
      sample.spans.filter((span) => span.name === 'render landscape'),
    );

    const spans = await waiting;
    expect(spans.map((span) => span.name)).toContain('render landscape');
    expect(spans).toHaveLength(6);
  });

  it('waitForSpans times out with the names it did receive', async () => {
    await exportSpans(jsonExporter(receiver), makeSampleTrace().spans.slice(0, 1));
    await expect(receiver.waitForSpans((spans) => spans.length > 5, 100)).rejects.toThrow(
      /timed out after 100 ms with 1 span\(s\):\n {2}web: send landscape-jobs/,
    );
  });

  it('spansOfTrace filters by trace, clear() empties everything', async () => {
    const [first, second] = [makeSampleTrace(1), makeSampleTrace(2)];
    await exportSpans(jsonExporter(receiver), [...first.spans, ...second.spans]);

    expect(receiver.spansOfTrace(first.traceId)).toHaveLength(4);
    expect(receiver.spansOfTrace(second.traceId.toUpperCase())).toHaveLength(6);
    receiver.clear();
    expect([receiver.spans.length, receiver.logs.length, receiver.posts.length]).toEqual([0, 0, 0]);
  });

  it('onSpans reports each export until unsubscribed', async () => {
    const seen: number[] = [];
    const unsubscribe = receiver.onSpans((spans) => seen.push(spans.length));
    const { spans } = makeSampleTrace();
    await exportSpans(jsonExporter(receiver), spans.slice(0, 2));
    unsubscribe();
    await exportSpans(jsonExporter(receiver), spans.slice(2));
    expect(seen).toEqual([2]);
  });
});

describe('failure modes', () => {
  it("'down' refuses connections until the mode changes, then listens on the same port again", async () => {
    const exporter = jsonExporter(receiver);
    const { spans } = makeSampleTrace();
    // Warm up so the exporter holds a pooled keep-alive connection that 'down' must cut too.
    expect((await exportSpans(exporter, spans.slice(0, 1))).code).toBe(ExportResultCode.SUCCESS);

    await receiver.setMode('down');
    const refused = await exportSpans(exporter, spans.slice(1, 2));
    expect(refused.code).toBe(ExportResultCode.FAILED);
    expect(refused.error).toMatchObject({ code: 'ECONNREFUSED' });

    const { port } = receiver;
    await receiver.setMode('ok');
    expect(receiver.port).toBe(port);
    expect((await exportSpans(exporter, spans.slice(2, 3))).code).toBe(ExportResultCode.SUCCESS);
    expect(receiver.spans.map((span) => span.name)).toEqual([spans[0].name, spans[2].name]);
  });

  it("'fail500' answers 500 and keeps nothing", async () => {
    await receiver.setMode('fail500');
    const result = await exportSpans(jsonExporter(receiver), makeSampleTrace().spans);

    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error).toMatchObject({ code: 500 });
    expect(receiver.spans).toEqual([]);
    expect(receiver.posts).toMatchObject([{ status: 500, spanCount: 6 }]);
  });

  it("'slow' delays the answer past the exporter's timeout", async () => {
    // The default 15 s: only the exporter's own 200 ms timeout can end this export within the test.
    await receiver.setMode('slow');
    const result = await exportSpans(jsonExporter(receiver, 200), makeSampleTrace().spans);

    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(/time(d)? ?out/i);
    // The export arrived (stored on receipt); only its answer was held back.
    expect(receiver.posts).toMatchObject([{ status: 200, spanCount: 6 }]);
  });

  it("'slow' still answers 200 after delayMs", async () => {
    await receiver.setMode('slow', { delayMs: 150 });
    const started = Date.now();
    const result = await exportSpans(jsonExporter(receiver), makeSampleTrace().spans);

    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("close() does not wait for answers held back by 'slow' (default 15 s)", async () => {
    await receiver.setMode('slow');
    const pending = post(receiver, '/v1/traces', '{}', { 'content-type': 'application/json' }).then(
      (response) => response.status,
      (error: Error) => error,
    );
    await vi.waitFor(() => expect(receiver.posts).toHaveLength(1));

    // Were close() to wait for the held-back answer (15 s), the test would time out first.
    await receiver.close();
    expect(await pending).toBeInstanceOf(Error); // the client sees its connection cut, not a late 200
  });
});
