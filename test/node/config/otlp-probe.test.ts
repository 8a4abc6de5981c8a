import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { probeOtlpEndpoint } from '../../../scripts/otlp-probe.mjs';
import { freePort } from '../../support/free-port';

describe('npm start: the OTLP endpoint probe', () => {
  it('says nothing when a receiver answers, even with an error status', async () => {
    const server = createServer((_req, res) => res.writeHead(400).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    expect(await probeOtlpEndpoint(`http://127.0.0.1:${port}`)).toBeUndefined();
    await new Promise((r) => server.close(r));
  });

  it('names the cause and what to do when nothing listens', async () => {
    const port = await freePort();
    const advice = await probeOtlpEndpoint(`http://127.0.0.1:${port}/`);
    expect(advice).toContain(`nothing answers on http://127.0.0.1:${port}/v1/traces (connection refused)`);
    expect(advice).toMatch(/npm run trace-view.*docker-compose\.jaeger\.yml[\s\S]*OTEL_SDK_DISABLED=true/);
  });
});
