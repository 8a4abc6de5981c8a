import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeTestbed, startTestbed } from './testbed';
import { expectSpanTree, type AttributeValue, type OtlpReceiver, type ReceivedSpan } from '../../src/otel/testing';
import { traceSnapshot } from '../support/trace-snapshot';
import type { WeatherStub } from '../support/weather-stub';
import { waitFor, type Stack } from './stack';

/**
 * One click on "Generate" is ONE trace across the four workers, exported over real OTLP/HTTP
 * from the real `npm start` stack to a local receiver standing in for Jaeger, and it reads
 * itself: semantic names, one span per operation, the run's words on every span.
 */
let weather: WeatherStub;
let receiver: OtlpReceiver;
let stack: Stack;

const FORMATS = ['rgb_light', 'rgb_dark', 'bw', 'bwi', 'eink'];
/** The X-Request-ID the traced run is started with: fixed, so the trace snapshot shows it as it is. */
const REQUEST_ID = 'e2e-generate 78729';

beforeAll(async () => {
  ({ weather, receiver, stack } = await startTestbed({
    OTEL_EXPORT_TIMEOUT_MS: '2000',
    JAEGER_UI_URL: 'http://jaeger.example:16686',
  }));
});

afterAll(async () => {
  await closeTestbed({ stack, receiver, weather });
});

beforeEach(async () => {
  await receiver.setMode('ok');
});

async function imageServed(path: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(`${path} to be served`, async () => ((await fetch(`${stack.baseUrl}${path}`)).status === 200 ? true : undefined), timeoutMs);
}

/** A span attribute as text: a string as it is, anything else as JSON. */
const attributeText = (value: AttributeValue | undefined) => (typeof value === 'string' ? value : JSON.stringify(value));
const countOf = (spans: ReceivedSpan[], traceId: string, name: string) => spans.filter((s) => s.traceId === traceId && s.name === name).length;
/** A KV or R2 operation, told by its attributes (its name is the key's template: `put {zip}/bw.bmp`). */
const isStorageOp = (s: ReceivedSpan, system: 'cloudflare_kv' | 'cloudflare_r2', operations: RegExp) =>
  s.attributes['db.system.name'] === system && operations.test(attributeText(s.attributes['db.operation.name']));
const r2Puts = (spans: ReceivedSpan[], traceId: string) => spans.filter((s) => s.traceId === traceId && isStorageOp(s, 'cloudflare_r2', /^put$/)).length;

/** Generates for `zip` with every format and waits until its whole trace has arrived. */
async function generateTraced(zip: string): Promise<{ traceId: string; spans: ReceivedSpan[]; body: Record<string, string> }> {
  for (const format of FORMATS.slice(1)) expect((await stack.admin(`/admin/formats/add?zip=${zip}&format=${format}`, { method: 'POST' })).status).toBe(200);
  const res = await stack.admin(`/admin/generate?zip=${zip}`, { method: 'POST', headers: { 'X-Request-ID': REQUEST_ID } });
  expect(res.status).toBe(202);
  expect(res.headers.get('x-request-id')).toBe(REQUEST_ID);
  const body = await res.json<Record<string, string>>();
  await receiver.waitForSpans((spans) => runExported(spans, body.trace_id), 20_000);
  return { traceId: body.trace_id, spans: receiver.spansOfTrace(body.trace_id), body };
}

/** Every invocation of a five-format run has exported: the dispatcher's and the five generators' (each exports all its spans at once). */
const runExported = (spans: ReceivedSpan[], traceId: string) =>
  countOf(spans, traceId, 'process weather-ready') === 1 &&
  countOf(spans, traceId, 'process landscape-jobs') === FORMATS.length &&
  r2Puts(spans, traceId) === FORMATS.length;

/** The KV keys written or deleted in these spans, as `put key` / `delete key`. */
const kvWrites = (spans: ReceivedSpan[]) =>
  spans
    .filter((s) => isStorageOp(s, 'cloudflare_kv', /^(put|delete)$/))
    .map((s) => `${attributeText(s.attributes['db.operation.name'])} ${attributeText(s.attributes['cloudflare.kv.key'])}`);

describe('end-to-end trace', () => {
  let run: Awaited<ReturnType<typeof generateTraced>>;

  beforeAll(async () => {
    run = await generateTraced('78729');
  });

  it('makes one generate request one trace: web → fetcher → dispatcher → 5 × generator, named by the conventions', () => {
    const { spans, body, traceId } = run;
    expect(body.traceparent).toMatch(new RegExp(`^00-${traceId}-`));
    expect(body.jaeger_url).toBe(`http://jaeger.example:16686/trace/${traceId}`);
    const generator = {
      name: 'process landscape-jobs',
      kind: 'CONSUMER' as const,
      service: 'landscape-generator',
      count: FORMATS.length,
      attributes: { 'messaging.system': 'cloudflare_queues', 'messaging.destination.name': 'landscape-jobs', 'messaging.cloudflare_queues.outcome': 'ack' },
      children: [
        { name: /^render (rgb_light|rgb_dark|bw|bwi|eink)$/ },
        { name: /^head \{zip\}\/\w+\.(png|bmp)$/, kind: 'CLIENT' as const },
        { name: /^put \{zip\}\/\w+\.(png|bmp)$/, kind: 'CLIENT' as const },
      ],
    };
    expectSpanTree(spans, {
      name: 'POST /admin/generate',
      kind: 'SERVER',
      service: 'weather-landscape-web',
      attributes: { 'http.route': '/admin/generate', 'http.response.status_code': 202 },
      children: [
        {
          name: 'send fetch-jobs',
          kind: 'PRODUCER',
          attributes: { 'messaging.destination.name': 'fetch-jobs', 'messaging.operation.type': 'send' },
          children: [
            {
              name: 'process fetch-jobs',
              kind: 'CONSUMER',
              service: 'weather-fetcher',
              children: [
                { name: 'GET /v1/search', kind: 'CLIENT', attributes: { 'url.template': '/v1/search', 'server.address': '127.0.0.1' } },
                { name: 'GET /v1/forecast', kind: 'CLIENT', attributes: { 'url.template': '/v1/forecast', 'server.address': '127.0.0.1' } },
                { name: 'get geo:{zip}', attributes: { 'cloudflare.kv.key': 'geo:78729' } },
                { name: 'put geo:{zip}', attributes: { 'cloudflare.kv.key': 'geo:78729' } },
                {
                  name: 'send weather-ready',
                  kind: 'PRODUCER',
                  children: [
                    {
                      name: 'process weather-ready',
                      kind: 'CONSUMER',
                      service: 'job-dispatcher',
                      children: [
                        { name: 'list formats:{zip}', kind: 'CLIENT' },
                        { name: 'put run:{id}:dispatched', kind: 'CLIENT', attributes: { 'cloudflare.kv.key': `run:${traceId}:dispatched` } },
                        {
                          name: 'send landscape-jobs',
                          kind: 'PRODUCER',
                          attributes: { 'messaging.batch.message_count': FORMATS.length },
                          children: [generator],
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(['weather-landscape-web', 'weather-fetcher', 'job-dispatcher', 'landscape-generator']));
    for (const span of spans) expect(span.resource['deployment.environment.name']).toBe('local');
    // The resource says only true things: no `cloud.region=earth`, no second environment key.
    for (const span of spans) expect(Object.keys(span.resource).filter((key) => key === 'cloud.region' || key === 'deployment.environment')).toEqual([]);
    // Our spans under our scopes; otel-cf-workers' own (the request's server span) under its.
    expect(Object.fromEntries(spans.map((s) => [s.name.replace(/ .*/, ''), s.scope]))).toEqual({
      POST: '@microlabs/otel-cf-workers',
      send: 'weather-landscape.queue',
      process: 'weather-landscape.queue',
      GET: 'weather-landscape.fetch',
      get: 'weather-landscape.kv',
      put: expect.stringMatching(/^weather-landscape\.(kv|r2)$/),
      list: 'weather-landscape.kv',
      head: 'weather-landscape.r2',
      render: 'weather-landscape.render',
    });
    // Locally the runtime's `request.cf` is made up (colo DFW, an ASN, a TLS cipher on plain HTTP): none of it is exported.
    const server = spans.find((s) => s.kind === 'SERVER')!;
    expect(Object.keys(server.attributes).filter((key) => /^(net|tls|cloud)\./.test(key) || key === 'http.accepts')).toEqual([]);
    // Every worker's log lines for this run carry its trace id.
    const services = new Set(
      stack
        .logs()
        .filter((l) => l.trace_id === traceId)
        .map((l) => l.service),
    );
    expect(services).toEqual(new Set(['weather-fetcher', 'job-dispatcher', 'landscape-generator', 'weather-landscape-web']));
  });

  it('has one span per operation: no span repeats its parent (no binding-proxy duplicates)', () => {
    const byId = new Map(run.spans.map((s) => [s.spanId, s]));
    const repeats = run.spans.filter((s) => {
      const parent = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
      return parent !== undefined && (parent.name === s.name || (parent.kind === 'PRODUCER' && s.kind !== 'CONSUMER'));
    });
    expect(repeats.map((s) => `${s.name} under ${byId.get(s.parentSpanId!)!.name}`)).toEqual([]);
    expect(run.spans.filter((s) => /^(Queues |fetchHandler|queueHandler|fetch (GET|POST) )/.test(s.name)).map((s) => s.name)).toEqual([]);
  });

  it("puts the run's ZIP, trigger, id and request id on every span, and a distinct format on each of the five branches", () => {
    for (const span of run.spans) {
      expect({ span: span.name, zip: span.attributes['weather_landscape.zip'] }).toEqual({ span: span.name, zip: '78729' });
      // The caller's X-Request-ID reaches every hop: web, fetcher, dispatcher, each generator.
      expect({ span: span.name, service: span.serviceName, id: span.attributes['weather_landscape.request_id'] }).toEqual({
        span: span.name,
        service: span.serviceName,
        id: REQUEST_ID,
      });
    }
    const root = run.spans.find((s) => s.name === 'POST /admin/generate')!;
    expect(root.attributes).toMatchObject({ 'weather_landscape.run.trigger': 'admin', 'weather_landscape.run.id': run.traceId });
    const byId = new Map(run.spans.map((s) => [s.spanId, s]));
    const branches = run.spans.filter((s) => s.name === 'process landscape-jobs');
    expect(branches.map((s) => s.attributes['weather_landscape.format']).sort()).toEqual([...FORMATS].sort());
    for (const branch of branches) {
      expect(branch.attributes).toMatchObject({ 'weather_landscape.run.trigger': 'admin', 'weather_landscape.run.id': run.traceId });
      const children = run.spans.filter((s) => s.parentSpanId === branch.spanId);
      expect(children.length).toBeGreaterThan(0);
      for (const child of children) expect(child.attributes['weather_landscape.format']).toBe(branch.attributes['weather_landscape.format']);
    }
    expect(byId.size).toBe(run.spans.length);
  });

  it("leads to Cloudflare's native trace: the root and each process span carry the native ids of the invocation they ran in", () => {
    const entries = run.spans.filter((s) => s.name === 'POST /admin/generate' || s.name.startsWith('process '));
    expect(entries).toHaveLength(3 + FORMATS.length);
    const ids = entries.map((s) => ({ span: s.name, traceId: s.attributes['cloudflare.trace_id'], spanId: s.attributes['cloudflare.span_id'] }));
    for (const id of ids)
      expect(id).toEqual({
        span: id.span,
        traceId: expect.stringMatching(/^(?!0{32})[0-9a-f]{32}$/),
        spanId: expect.stringMatching(/^(?!0{16})[0-9a-f]{16}$/),
      });
    // Each worker invocation is a native trace of its own (Cloudflare does not join them through queues).
    const byService = new Map(entries.map((s) => [s.serviceName, s.attributes['cloudflare.trace_id']]));
    expect(new Set(byService.values()).size).toBe(4);
    // Their children do not repeat it.
    expect(run.spans.filter((s) => !entries.includes(s) && s.attributes['cloudflare.trace_id'] !== undefined).map((s) => s.name)).toEqual([]);
  });

  it('exports no empty, null or misleading attribute value in any span', () => {
    const bad = receiver.spans.flatMap((s) =>
      Object.entries(s.attributes)
        .filter(
          ([key, value]) =>
            value === '' ||
            value === null ||
            value === undefined ||
            (Array.isArray(value) && value.length === 0) ||
            (key === 'url.scheme' && attributeText(value).endsWith(':')),
        )
        .map(([key]) => `${s.name}: ${key}`),
    );
    expect(bad).toEqual([]);
  });

  it('exports no single-span trace from a queue invocation', () => {
    const byTrace = new Map<string, ReceivedSpan[]>();
    for (const span of receiver.spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
    const stubs = [...byTrace.values()].filter((spans) => spans.length === 1 && (spans[0].kind === 'CONSUMER' || spans[0].name.startsWith('queueHandler')));
    expect(stubs.map((spans) => spans[0].name)).toEqual([]);
  });

  it('never sends trace context to the weather API', () => {
    const leaked = weather.requests.filter((r) => r.headers.traceparent !== undefined || r.headers.tracestate !== undefined);
    expect(weather.requests.length).toBeGreaterThan(0);
    expect(leaked.map((r) => r.path)).toEqual([]);
  });

  it('matches the trace snapshot (update with `npm run trace:update`)', async () => {
    await expect(traceSnapshot(run.spans)).toMatchFileSnapshot('./__snapshots__/generate-run.trace.txt');
  });

  // KV writes per run: the Free plan allows 1,000 a day for the whole account.
  it('an admin run with five formats writes at most 6 KV keys, run record included', () => {
    // The first run of this ZIP: it is geocoded now (formats/add registered it already, so generate
    // reads the marker instead of writing it). Counted from the run's own spans.
    expect(kvWrites(run.spans).sort()).toEqual([`put run:${run.traceId}`, `put run:${run.traceId}:dispatched`, 'put geo:78729'].sort());
    expect(kvWrites(run.spans).length).toBeLessThanOrEqual(6);
    // The generator writes none: what the run view needs is in each image's R2 metadata.
    expect(run.spans.filter((s) => s.serviceName === 'landscape-generator' && s.attributes['db.system.name'] === 'cloudflare_kv').map((s) => s.name)).toEqual(
      [],
    );
  });

  it('a later admin run of the same ZIP writes only its run record: 2 KV keys', async () => {
    const res = await stack.admin('/admin/generate?zip=78729', { method: 'POST' });
    expect(res.status).toBe(202);
    const { trace_id: traceId } = await res.json<{ trace_id: string }>();
    // No X-Request-ID sent: the run id (here the trace id) answers as one.
    expect(res.headers.get('x-request-id')).toBe(traceId);
    await receiver.waitForSpans((spans) => runExported(spans, traceId), 20_000);
    expect(kvWrites(receiver.spansOfTrace(traceId)).sort()).toEqual([`put run:${traceId}`, `put run:${traceId}:dispatched`].sort());
  });

  it('a scheduled run of a geocoded ZIP writes no KV key at all', async () => {
    expect((await stack.admin('/admin/activate?zip=78729', { method: 'POST' })).status).toBe(200);
    const before = new Set(receiver.spans.filter((s) => s.name === 'scheduled run').map((s) => s.traceId));
    expect((await fetch(`${stack.baseUrl}/__scheduled?cron=*/15+*+*+*+*`)).status).toBe(200);
    const spans = await receiver.waitForSpans((all) => {
      const scheduled = all.find((s) => s.name === 'scheduled run' && s.attributes['weather_landscape.zip'] === '78729' && !before.has(s.traceId));
      return scheduled !== undefined && runExported(all, scheduled.traceId);
    }, 20_000);
    const root = spans.find((s) => s.name === 'scheduled run' && s.attributes['weather_landscape.zip'] === '78729' && !before.has(s.traceId))!;
    const cronTraces = new Set(root.links.map((l) => l.traceId));
    expect(cronTraces.size).toBe(1); // the cron invocation's own trace, linked from the run
    const runSpans = spans.filter((s) => s.traceId === root.traceId || cronTraces.has(s.traceId));
    expect(runSpans.filter((s) => s.name.startsWith('cron '))).toHaveLength(1);
    expect(kvWrites(runSpans)).toEqual([]);
    // It did run, to the end: five images stored from R2 heads and conditional puts.
    expect(r2Puts(runSpans, root.traceId)).toBe(FORMATS.length);
  });
});

describe('export failures and sampling', () => {
  it('still produces images with the collector down, and says once what is wrong and what to do', async () => {
    await receiver.setMode('down');
    const res = await stack.admin('/admin/generate?zip=99701', { method: 'POST' });
    expect(res.status).toBe(202);
    await imageServed('/99701/rgb_light.png');
    const warning = await waitFor('an export failure warning', async () =>
      stack.logs().find((l) => typeof l.message === 'string' && l.message.startsWith('span export to ')),
    );
    expect(String(warning.message)).toMatch(/failed: .*; spans dropped\. .*npm run trace-view.*OTEL_SDK_DISABLED=true/);
  });

  it('exports no span from any worker for an unsampled traceparent (flags 00), and still produces the images', async () => {
    receiver.clear();
    const traceId = 'abcdef0123456789abcdef0123456789';
    const res = await stack.admin('/admin/generate?zip=96813', { method: 'POST', headers: { traceparent: `00-${traceId}-0123456789abcdef-00` } });
    expect(res.status).toBe(202);
    expect((await res.json<{ trace_id: string }>()).trace_id).toBe(traceId);
    await imageServed('/96813/rgb_light.png');
    // A signal instead of a sleep: a sampled run started afterwards has been exported by every
    // worker, so each worker has flushed past the unsampled run's invocations too.
    const after = await stack.admin('/admin/generate?zip=96813', { method: 'POST' });
    const afterId = (await after.json<{ trace_id: string }>()).trace_id;
    await receiver.waitForSpans((spans) => countOf(spans, afterId, 'process landscape-jobs') >= 1, 20_000);
    expect(receiver.spans.filter((s) => s.traceId === traceId)).toEqual([]);
    // The run's log lines still carry the trace id, so logs stay correlated without spans.
    expect(stack.logs().some((l) => l.trace_id === traceId && l.service === 'landscape-generator')).toBe(true);
  });
});
