import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { WeatherApiError, WeatherResponseError } from '../../../src/weather/errors';
import { buildUrl, getJson } from '../../../src/weather/http';
import { NodeBuffer } from '../../support/node-buffer';
import { closedPortUrl, rejectionOf, startRawServer, useWeatherStub } from './helpers';

const Search = z.object({ results: z.array(z.object({ name: z.string(), latitude: z.number() })).optional() });

const stub = useWeatherStub();
const searchUrl = () => `${stub().url}/v1/search?name=78729`;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('getJson', () => {
  it('returns the body validated by the schema and asks for JSON', async () => {
    const body = await getJson(searchUrl(), Search);
    expect(body.results?.[0]).toEqual({ name: 'Austin', latitude: 30.45215 });
    expect(stub().requests).toHaveLength(1);
    expect(stub().requests[0].headers.accept).toBe('application/json');
  });

  it('looks up the global fetch at call time (so instrumentation that wraps it later is used)', async () => {
    const original = globalThis.fetch;
    const spy = vi.fn((input: RequestInfo | URL, init?: RequestInit) => original(input, init));
    vi.stubGlobal('fetch', spy);
    await getJson(searchUrl(), Search);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0][0]).toBe(searchUrl());
  });

  it('maps 500 to a transient WeatherApiError', async () => {
    stub().setFault({ kind: '500' });
    const err = await rejectionOf(getJson(searchUrl(), Search, { label: 'test api' }));
    expect(err).toBeInstanceOf(WeatherApiError);
    expect(err).toMatchObject({ status: 500, transient: true, kind: 'http' });
    expect(err.message).toMatch(/^test api: HTTP 500/);
  });

  it('maps 429 to a transient WeatherApiError with Retry-After in seconds', async () => {
    stub().setFault({ kind: '429', retryAfterSeconds: 7 });
    const err = await rejectionOf(getJson(searchUrl(), Search));
    expect(err).toMatchObject({ status: 429, transient: true, retryAfterSeconds: 7 });
  });

  it('parses a Retry-After given as an HTTP date', async () => {
    const server = await startRawServer((_req, res) => {
      res.writeHead(503, { 'retry-after': new Date(Date.now() + 120_000).toUTCString() });
      res.end('busy');
    });
    try {
      const err = await rejectionOf(getJson(server.url, Search));
      expect(err).toMatchObject({ status: 503, transient: true });
      const seconds = (err as WeatherApiError).retryAfterSeconds;
      expect(seconds).toBeGreaterThanOrEqual(118);
      expect(seconds).toBeLessThanOrEqual(121);
    } finally {
      await server.close();
    }
  });

  it('maps other 4xx to a permanent WeatherApiError that quotes the upstream reason', async () => {
    const err = await rejectionOf(getJson(`${stub().url}/v1/forecast?latitude=999&longitude=0`, Search));
    expect(err).toBeInstanceOf(WeatherApiError);
    expect(err).toMatchObject({ status: 400, transient: false, kind: 'http' });
    expect(err.message).toContain('Latitude must be in range');
  });

  it('maps a body that is not JSON to a transient WeatherResponseError', async () => {
    stub().setFault({ kind: 'garbage' });
    const err = await rejectionOf(getJson(searchUrl(), Search));
    expect(err).toBeInstanceOf(WeatherResponseError);
    expect((err as WeatherResponseError).transient).toBe(true);
    expect(err.message).toContain('not JSON');
  });

  it('maps JSON of the wrong shape to a WeatherResponseError', async () => {
    const err = await rejectionOf(getJson(searchUrl(), z.object({ results: z.array(z.object({ name: z.number() })) })));
    expect(err).toBeInstanceOf(WeatherResponseError);
    expect(err.message).toContain('unexpected JSON shape');
  });

  it('gives up after timeoutMs when the server never answers', async () => {
    stub().setFault({ kind: 'hang' });
    // The stub never answers: only the client's own timeout can end this request within the test.
    const err = await rejectionOf(getJson(searchUrl(), Search, { timeoutMs: 150 }));
    expect(stub().requests).toHaveLength(1); // it reached the server, which held it
    expect(err).toBeInstanceOf(WeatherApiError);
    expect(err).toMatchObject({ kind: 'timeout', status: 0, transient: true });
    expect(err.message).toContain('timed out after 150 ms');
  });

  it('times out a body that stalls after the headers', async () => {
    const server = await startRawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"results":');
    });
    try {
      const err = await rejectionOf(getJson(server.url, Search, { timeoutMs: 150 }));
      expect(err).toMatchObject({ kind: 'timeout', transient: true });
    } finally {
      await server.close();
    }
  });

  it("honours the caller's abort signal", async () => {
    stub().setFault({ kind: 'hang' });
    const err = await rejectionOf(getJson(searchUrl(), Search, { timeoutMs: 5000, signal: AbortSignal.timeout(100) }));
    expect(err).toMatchObject({ kind: 'aborted', transient: true });
  });

  it('maps a refused connection to a transient network error', async () => {
    const err = await rejectionOf(getJson(`${await closedPortUrl()}/v1/search?name=78729`, Search));
    expect(err).toBeInstanceOf(WeatherApiError);
    expect(err).toMatchObject({ kind: 'network', status: 0, transient: true });
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toMatch(/^connection refused or lost \(/);
  });

  it('names a failed DNS lookup (.invalid never resolves, RFC 6761)', async () => {
    const err = await rejectionOf(getJson('http://weather.invalid/v1/search?name=78729', Search));
    expect(err).toMatchObject({ kind: 'network', transient: true });
    expect(err.message).toMatch(/^DNS lookup failed \(.*(ENOTFOUND|EAI_AGAIN)/);
  });

  it('rejects an invalid URL permanently', async () => {
    const err = await rejectionOf(getJson('not a url?appid=secret-value-123', Search));
    expect(err).toMatchObject({ kind: 'invalid-url', transient: false });
    expect(err.message).not.toContain('secret-value-123');
  });

  it('rejects a body over the size cap announced by Content-Length', async () => {
    const big = JSON.stringify({ results: [], pad: 'x'.repeat(3 * 1024 * 1024) });
    const server = await startRawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': NodeBuffer.byteLength(big) });
      res.end(big);
    });
    try {
      const err = await rejectionOf(getJson(server.url, Search));
      expect(err).toBeInstanceOf(WeatherResponseError);
      expect(err.message).toContain('Content-Length');
    } finally {
      await server.close();
    }
  });

  it('rejects a chunked body once it grows past the cap', async () => {
    const server = await startRawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // no Content-Length: chunked
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 40; i++) res.write(chunk); // 2.5 MB
      res.end();
    });
    try {
      const err = await rejectionOf(getJson(server.url, Search));
      expect(err).toBeInstanceOf(WeatherResponseError);
      expect(err.message).toContain(`more than ${2 * 1024 * 1024} bytes`);
    } finally {
      await server.close();
    }
  });

  it('applies a custom maxBytes to real responses', async () => {
    await expect(getJson(searchUrl(), Search, { maxBytes: 100 })).rejects.toBeInstanceOf(WeatherResponseError);
    await expect(getJson(searchUrl(), Search, { maxBytes: 10_000 })).resolves.toBeDefined();
  });

  it('never puts an API key into an error message', async () => {
    const key = 'k3y-0f-the-t3st-abcdef';
    const server = await startRawServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ cod: 401, message: `Invalid API key ${key}` }));
    });
    try {
      const err = await rejectionOf(getJson(`${server.url}/data?lat=1&appid=${key}`, Search));
      expect(err).toMatchObject({ status: 401, transient: false });
      expect(err.message).not.toContain(key);
      expect(JSON.stringify(err)).not.toContain(key);
      expect(err.message).toContain('appid=REDACTED');
    } finally {
      await server.close();
    }
  });
});

describe('buildUrl', () => {
  it('joins base and path whatever the trailing slashes, keeps commas literal and encodes the rest', () => {
    expect(buildUrl('http://h:1/', '/v1/x', { a: 'b,c', n: 1.5, s: 'a b&c' })).toBe('http://h:1/v1/x?a=b,c&n=1.5&s=a%20b%26c');
    expect(buildUrl('http://h:1//', '/v1/x', { a: 1 })).toBe('http://h:1/v1/x?a=1');
    expect(buildUrl('http://h:1/prefix', '/v1/x', { a: 1 })).toBe('http://h:1/prefix/v1/x?a=1');
  });
});
