import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { TestProject } from 'vitest/node';
import { startOtlpReceiver, type ReceiverMode } from '../../src/otel/testing';
import { startWeatherStub } from './weather-stub';

declare module 'vitest' {
  export interface ProvidedContext {
    otlpUrl: string;
    weatherStubUrl: string;
    controlUrl: string;
  }
}

/**
 * Starts, in Node, the stand-ins for the outside world that tests inside workerd talk to:
 * a real OTLP/HTTP receiver and the Open-Meteo stub. Tests in workerd cannot share memory
 * with Node, so a small control server exposes what the receiver got (see test/workers/control.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const receiver = await startOtlpReceiver();
  const weather = await startWeatherStub();
  const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://control');
    let body = '';
    for await (const chunk of req) body += chunk;
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/otlp/posts') return res.end(json(receiver.posts));
    if (url.pathname === '/otlp/spans') return res.end(json(receiver.spans));
    if (url.pathname === '/otlp/logs') return res.end(json(receiver.logs));
    if (url.pathname === '/otlp/clear') {
      receiver.clear();
      return res.end('{}');
    }
    if (url.pathname === '/otlp/mode') {
      const { mode, delayMs } = JSON.parse(body || '{}') as { mode: ReceiverMode; delayMs?: number };
      await receiver.setMode(mode, { delayMs });
      return res.end('{}');
    }
    res.statusCode = 404;
    res.end('{}');
  };
  // A request that throws (say, a body that is not JSON) is answered 500 with the error, instead of never.
  const control: Server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(json({ error: error instanceof Error ? error.message : JSON.stringify(error) }));
    });
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const address = control.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  project.provide('otlpUrl', receiver.url);
  project.provide('weatherStubUrl', weather.url);
  project.provide('controlUrl', `http://127.0.0.1:${port}`);
  return async () => {
    await new Promise<void>((resolve) => control.close(() => resolve()));
    await Promise.all([receiver.close(), weather.close()]);
  };
}
