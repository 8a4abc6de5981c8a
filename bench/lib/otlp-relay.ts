import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { track } from './cleanup';

export interface OtlpRelay {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  /** Hands every export received so far to the receiver; resolves once it has answered them all. */
  drained(): Promise<void>;
  /** Resolves when the relay has answered the next export (which it keeps until `drained()`); rejects after `timeoutMs`. */
  nextExport(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Answers each OTLP export at once and keeps it; `drained()` forwards what it kept, unchanged, to
 * the real receiver. Why: the test receiver decodes a whole export before it answers, in the
 * bench's own process; for a 600-span generator export that is ~15-25 ms on this machine, which a
 * timed invocation would otherwise count as tracing cost of the worker. A real collector answers as
 * soon as the data is queued. Forwarding waits for `drained()` too: forwarded at once, the decode ran
 * in this process while the timed invocation was still finishing, and its result waited behind it.
 * The receiver still sees every POST, so its counts stay the check.
 */
export async function startOtlpRelay(targetUrl: string): Promise<OtlpRelay> {
  const held: Array<{ path: string; contentType: string; body: Buffer }> = [];
  const reading = new Set<Promise<void>>();
  let waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const read = buffer(req).then((body) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      held.push({ path: req.url ?? '/v1/traces', contentType: req.headers['content-type'] ?? 'application/json', body });
      const answered = waiters;
      waiters = [];
      for (const resolve of answered) resolve();
    });
    reading.add(read);
    void read.finally(() => reading.delete(read));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const forwardAll = async () => {
    while (reading.size > 0) await Promise.allSettled([...reading]);
    for (const { path, contentType, body } of held.splice(0)) {
      try {
        const r = await fetch(`${targetUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
        await r.arrayBuffer();
      } catch (error) {
        console.error(`[bench] OTLP relay could not forward: ${String(error)}`);
      }
    }
  };
  const close = track('OTLP relay', async () => {
    await forwardAll();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
  const nextExport = (timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const answered = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters = waiters.filter((waiter) => waiter !== answered);
        reject(new Error(`no OTLP export reached the relay within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.push(answered);
    });
  return { url: `http://127.0.0.1:${port}`, drained: forwardAll, nextExport, close };
}
