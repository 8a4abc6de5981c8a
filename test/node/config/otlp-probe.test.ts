import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeOtlpEndpoint } from '../../../scripts/otlp-probe.mjs';
import { freePort } from '../../support/free-port';

/** A receiver on 127.0.0.1 that answers `status` and remembers what each request carried. */
function answering(status: number) {
  const seen: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(status).end();
    });
  });
  return {
    seen,
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

const SECRET = 'k3y-value/with spaces';
const HEADERS = `x-api-key=${encodeURIComponent(SECRET)}, Authorization=Basic%20dXNlcjpwYXNz`;

describe('npm start: the OTLP endpoint probe', () => {
  const receivers = new Map<number, ReturnType<typeof answering> & { url?: string }>();
  beforeAll(async () => {
    for (const status of [200, 400, 401, 403, 404, 503]) {
      const receiver = answering(status);
      receivers.set(status, Object.assign(receiver, { url: await receiver.start() }));
    }
  });
  afterAll(async () => {
    for (const receiver of receivers.values()) await receiver.close();
  });
  const at = (status: number) => receivers.get(status)!;

  it('POSTs an empty OTLP/JSON export to <endpoint>/v1/traces with OTEL_EXPORTER_OTLP_HEADERS, parsed as the workers parse them', async () => {
    expect(await probeOtlpEndpoint(`${at(200).url}/`, { otlpHeaders: HEADERS })).toBeUndefined();
    const [request] = at(200).seen;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/traces', body: '{"resourceSpans":[]}' });
    expect(request.headers).toMatchObject({ 'x-api-key': SECRET, authorization: 'Basic dXNlcjpwYXNz', 'content-type': 'application/json' });
  });

  it('says nothing when a receiver answers 400 (it listens; it only objects to the empty body)', async () => {
    expect(await probeOtlpEndpoint(at(400).url!)).toBeUndefined();
  });

  it.each([401, 403])('on %i says the credentials were rejected, naming the headers it sent but never their values', async (status) => {
    const advice = await probeOtlpEndpoint(at(status).url!, { otlpHeaders: HEADERS });
    expect(advice).toEqual(
      expect.stringContaining(
        `${at(status).url}/v1/traces answered ${status}: credentials rejected: check OTEL_EXPORTER_OTLP_HEADERS (sent headers: x-api-key, authorization)`,
      ),
    );
    expect(advice).not.toContain(SECRET);
    expect(advice).not.toContain(encodeURIComponent(SECRET));
    expect(advice).not.toContain('dXNlcjpwYXNz');
  });

  it('on 404 says the path is wrong, with the URL it tried', async () => {
    const advice = await probeOtlpEndpoint(`${at(404).url}/otlp`);
    expect(advice).toEqual(expect.stringContaining(`${at(404).url}/otlp/v1/traces answered 404: wrong path`));
    expect(advice).toContain('OTEL_EXPORTER_OTLP_ENDPOINT is the base URL');
  });

  it('on any other status says which', async () => {
    expect(await probeOtlpEndpoint(at(503).url!)).toEqual(expect.stringContaining(`${at(503).url}/v1/traces answered HTTP 503`));
  });

  it('names the cause and what to do when nothing listens', async () => {
    const port = await freePort();
    const advice = await probeOtlpEndpoint(`http://127.0.0.1:${port}/`);
    expect(advice).toContain(`nothing answers on http://127.0.0.1:${port}/v1/traces (connection refused)`);
    expect(advice).toMatch(/npm run trace-view.*docker-compose\.jaeger\.yml[\s\S]*OTEL_SDK_DISABLED=true/);
  });
});
