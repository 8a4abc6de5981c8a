import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanAttributes } from '../../../src/otel/attribute-hygiene';
import { describeExportFailure, exportFailureNotice, resetExportWarnings, setExportAdvice } from '../../../src/otel/export-warnings';
import { WORKER_TRACING } from '../../../src/tracing/worker-tracing';
import { mayPropagateTo, setPropagationHosts, urlTemplate } from '../../../src/otel/fetch';
import { commonBodyAttributes, setBodyAttributes } from '../../../src/otel/context-attributes';
import { runAttributesOfBody, runAttributesOfRequest } from '../../../src/tracing/run-attributes';
import { RequestId } from '../../../src/domain/request-id';
import { FetchJob } from '../../../src/messages/schemas';

describe('attribute hygiene', () => {
  it('drops empty, null and undefined values and normalizes the shapes otel-cf-workers writes', () => {
    const cleaned = cleanAttributes({
      'faas.invocation_id': '',
      'user_agent.original': undefined,
      'http.accepts': null as unknown as string,
      'network.protocol.version': '',
      'url.scheme': 'http:',
      'url.query': '?zip=78729',
      'http.request.body.size': '120',
      'http.response.body.size': 'nope',
      'empty.list': [],
      'http.response.status_code': 202,
      'url.full': 'https://h/x?appid=secret',
      'server.address': '127.0.0.1:8787',
    });
    expect(cleaned).toEqual({
      'url.scheme': 'http',
      'url.query': 'zip=78729',
      'http.request.body.size': 120,
      'http.response.status_code': 202,
      'url.full': 'https://h/x?appid=REDACTED',
      'server.address': '127.0.0.1',
      'server.port': 8787,
    });
  });
});

describe("otel-cf-workers' request.cf attributes", () => {
  const cf = {
    'faas.trigger': 'http',
    'net.colo': 'DFW',
    'net.country': 'US',
    'net.asn': 395747,
    'net.tls_cipher': 'AEAD-AES128-GCM-SHA256',
    'net.tls_version': 'TLSv1.3',
    'net.tcp_rtt': 1,
    'net.request_priority': 'weight=16',
    'network.protocol.name': 'http',
    'network.protocol.version': 'HTTP/1.1',
    'http.accepts': 'gzip, br',
    'http.mime_type': 'image/png',
  };

  it("keeps, under the conventions' names, only what the edge said of a request that came through it", () => {
    expect(cleanAttributes({ ...cf, 'faas.invocation_id': '8f1e2d3c4b5a6978-DFW' })).toEqual({
      'faas.trigger': 'http',
      'faas.invocation_id': '8f1e2d3c4b5a6978-DFW',
      'cloud.region': 'DFW',
      'tls.protocol.name': 'tls',
      'tls.protocol.version': '1.3',
      'network.protocol.name': 'http',
      'network.protocol.version': '1.1',
      'http.response.header.content-type': ['image/png'],
    });
  });

  it("drops them all without a ray id: the local runtime's cf object is made up", () => {
    expect(cleanAttributes(cf)).toEqual({
      'faas.trigger': 'http',
      'network.protocol.name': 'http',
      'http.response.header.content-type': ['image/png'],
    });
  });
});

describe('run attributes', () => {
  it('reads the ZIP, format, run id and trigger a queue body carries, and nothing that does not look like ours', () => {
    expect(runAttributesOfBody({ zip_code: '78729', format_name: 'bw', run_id: 'a'.repeat(32), trigger: 'cron' })).toEqual({
      'weather_landscape.zip': '78729',
      'weather_landscape.format': 'bw',
      'weather_landscape.run.id': 'a'.repeat(32),
      'weather_landscape.run.trigger': 'cron',
    });
    expect(runAttributesOfBody({ zip_code: '7872\n9', trigger: 'evil', run_id: 42 })).toEqual({});
    expect(runAttributesOfBody('78729')).toEqual({});
  });

  it('labels a dead letter with the words of the message it carries', () => {
    expect(runAttributesOfBody({ queue: 'fetch-jobs', reason: 'x', body: { zip_code: '00000', trigger: 'admin' } })).toEqual({
      'weather_landscape.zip': '00000',
      'weather_landscape.run.trigger': 'admin',
    });
  });

  it('keeps only the words every body of a batch shares', () => {
    setBodyAttributes(runAttributesOfBody);
    expect(
      commonBodyAttributes([
        { zip_code: '78729', format_name: 'bw' },
        { zip_code: '78729', format_name: 'eink' },
      ]),
    ).toEqual({
      'weather_landscape.zip': '78729',
    });
  });

  // The header value, the queue bodies and the run word share one rule: 1-128 printable ASCII.
  it.each([
    ['CR/LF (header injection)', 'a\r\nSet-Cookie: x=1'],
    ['LF', 'a\nb'],
    ['NUL', 'a\u0000b'],
    ['a tab', 'a\tb'],
    ['non-ASCII', 'caf\u00e9'],
    ['DEL', 'a\u007f'],
    ['empty', ''],
    ['129 characters', 'x'.repeat(129)],
  ])('refuses a request id with %s as header value, in a queue body and as a run word', (_label, value) => {
    expect(RequestId.safeParse(value).success).toBe(false);
    const job = { schema_version: 1, zip_code: '78729', scheduled_at: '2026-11-24T05:00:00.000Z', trigger: 'admin', request_id: value };
    expect(FetchJob.safeParse(job).success).toBe(false);
    expect(runAttributesOfBody(job)).toEqual({ 'weather_landscape.zip': '78729', 'weather_landscape.run.trigger': 'admin' });
  });

  it('accepts a request id of 1 to 128 printable ASCII characters, spaces included, everywhere', () => {
    for (const value of ['a', ' ', '~'.repeat(128), 'req 7f3a: "build" <42>/retry;1']) {
      expect(RequestId.safeParse(value)).toEqual({ success: true, data: value });
      const job = { schema_version: 1, zip_code: '78729', scheduled_at: '2026-11-24T05:00:00.000Z', trigger: 'admin', request_id: value };
      expect(FetchJob.parse(job).request_id).toBe(value);
      expect(runAttributesOfBody(job)['weather_landscape.request_id']).toBe(value);
    }
  });

  it('finds the ZIP of a request in its query or first path segment', () => {
    expect(runAttributesOfRequest(new URL('http://h/admin/generate?zip=78729'))).toEqual({ 'weather_landscape.zip': '78729' });
    expect(runAttributesOfRequest(new URL('http://h/78729/eink.bmp'))).toEqual({ 'weather_landscape.zip': '78729' });
    expect(runAttributesOfRequest(new URL('http://h/guide'))).toEqual({});
  });
});

describe('outgoing fetches', () => {
  afterEach(() => setPropagationHosts([]));

  it('sends trace context to no host by default, and only to listed hosts (with *.domain) when set', () => {
    expect(mayPropagateTo('api.open-meteo.com')).toBe(false);
    setPropagationHosts(['collector.internal', '*.example.com']);
    expect(mayPropagateTo('collector.internal')).toBe(true);
    expect(mayPropagateTo('a.b.example.com')).toBe(true);
    expect(mayPropagateTo('example.com.evil.net')).toBe(false);
    expect(mayPropagateTo('api.open-meteo.com')).toBe(false);
  });

  it('names a URL by a low-cardinality template: ids become {id}, versions stay', () => {
    expect(urlTemplate('/v1/search')).toBe('/v1/search');
    expect(urlTemplate('/geo/1.0/zip')).toBe('/geo/1.0/zip');
    expect(urlTemplate('/items/123456/parts/4bf92f3577b34da6a3ce929d0e0e4736')).toBe('/items/{id}/parts/{id}');
  });
});

describe('failed export warnings', () => {
  afterEach(() => resetExportWarnings());

  it('names the cause an operator acts on', () => {
    expect(describeExportFailure(new Error('Fetch request encountered a network error', { cause: new TypeError('Network connection lost.') }))).toMatch(
      /nothing accepted the connection/,
    );
    expect(describeExportFailure(new Error('Fetch request failed with non-retryable status 400'))).toBe('the receiver answered HTTP 400');
    expect(describeExportFailure(new Error('Fetch request errored', { cause: new DOMException('The operation was aborted', 'AbortError') }))).toMatch(
      /timed out/,
    );
  });

  it('warns at most once a minute per isolate, counting what it did not say, and says what to do', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    setExportAdvice(WORKER_TRACING.exportFailureAdvice);
    const start = 1_000_000;
    for (let i = 0; i < 20; i++) exportFailureNotice(new TypeError('Network connection lost.'), 3, start + i * 1000);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/npm run trace-view.*docker-compose\.jaeger\.yml.*OTEL_SDK_DISABLED=true/);
    exportFailureNotice(new TypeError('Network connection lost.'), 3, start + 61_000);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1][1]).toMatchObject({ failed_exports: 20, dropped_spans: 60 });
    warn.mockRestore();
  });
});
