import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { track } from './cleanup';

export interface OtlpRelay {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  /** Resolves once every export received so far has been handed to the receiver. */
  drained(): Promise<void>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Answers each OTLP export at once, then forwards it unchanged to the real receiver.
 * Why: the test receiver decodes a whole export before it answers, in the bench's own process;
 * for a 600-span generator export that is ~15-25 ms on this machine, which a timed invocation
 * would otherwise count as tracing cost of the worker. A real collector answers as soon as the
 * data is queued. The receiver still sees every POST, so its counts stay the check.
 */
export async function startOtlpRelay(targetUrl: string): Promise<OtlpRelay> {
  const forwards = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      const forward = fetch(`${targetUrl}${req.url ?? '/v1/traces'}`, {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        body,
      }).then(
        (r) => r.arrayBuffer().then(() => undefined),
        (error: unknown) => console.error(`[bench] OTLP relay could not forward: ${String(error)}`),
      );
      forwards.add(forward);
      void forward.finally(() => forwards.delete(forward));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const close = track('OTLP relay', async () => {
    await Promise.allSettled([...forwards]);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    drained: async () => {
      while (forwards.size > 0) await Promise.allSettled([...forwards]);
    },
    close,
  };
}
