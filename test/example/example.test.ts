/**
 * The minimal two-worker example of src/otel, run for real: both workers in one `wrangler dev`
 * (workerd, a local queue between them), spans exported over OTLP/HTTP to the testing entry's
 * receiver. One request to the producer is ONE trace: its SERVER span, the `send` span under it,
 * and the consumer's `process` span under that, in the other worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectSpanTree, startOtlpReceiver, type OtlpReceiver } from '../../src/otel/testing';

const ROOT = resolve(import.meta.dirname, '../..');
const HERE = import.meta.dirname;

let receiver: OtlpReceiver;
let wrangler: ChildProcess | undefined;
let stateDir: string;
let baseUrl: string;
const output: string[] = [];

/**
 * A copy of one of the example's wrangler configs with the receiver as its OTLP endpoint (`--var`
 * reaches only the first config's worker): `main` made absolute, the variable added.
 */
function configWithEndpoint(name: string, endpoint: string): string {
  const source = readFileSync(join(HERE, name), 'utf8').replace(/^main = "(.+)"$/m, (_line, main: string) => `main = ${JSON.stringify(join(HERE, main))}`);
  const path = join(stateDir, name);
  writeFileSync(path, `${source}\n[vars]\nOTEL_EXPORTER_OTLP_ENDPOINT = ${JSON.stringify(endpoint)}\n`);
  return path;
}

/** The workers' JSON log lines (wrangler dev prefixes each with `[worker-name] `). */
function logLines(): Array<Record<string, unknown>> {
  return output
    .join('')
    .split('\n')
    .flatMap((line) => {
      const json = line.slice(line.indexOf('{'));
      try {
        return line.includes('{') ? [JSON.parse(json) as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
}

async function poll<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (let value = probe(); ; value = probe()) {
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stateDir = mkdtempSync(join(tmpdir(), 'otel-example-'));
  mkdirSync(join(stateDir, 'state'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // The producer's config first: it gets the port. One process, so the two share the local queue.
  wrangler = spawn(
    join(ROOT, 'node_modules', '.bin', 'wrangler'),
    [
      'dev',
      ...['-c', configWithEndpoint('wrangler.producer.toml', receiver.url), '-c', configWithEndpoint('wrangler.consumer.toml', receiver.url)],
      ...['--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort())],
      ...['--persist-to', join(stateDir, 'state'), '--show-interactive-dev-session=false'],
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', NO_UPDATE_NOTIFIER: '1' },
    },
  );
  for (const stream of [wrangler.stdout!, wrangler.stderr!]) stream.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const deadline = Date.now() + 150_000;
  for (;;) {
    const ready = await fetch(`${baseUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || wrangler.exitCode !== null) throw new Error(`wrangler dev did not start:\n${output.join('').slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, 180_000);

afterAll(async () => {
  if (wrangler?.pid) {
    const exited = new Promise((done) => wrangler!.once('exit', done));
    try {
      process.kill(-wrangler.pid, 'SIGTERM');
    } catch {}
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
  }
  rmSync(stateDir, { recursive: true, force: true });
  await receiver?.close();
});

it("one request is one trace: the producer's send span is the parent of the consumer's process span", async () => {
  const response = await fetch(`${baseUrl}/?task=paint`, { method: 'POST' });
  expect(response.status).toBe(202);

  const spans = await receiver
    .waitForSpans((all) => all.some((s) => s.name === 'process example-jobs' && s.attributes['example.task'] === 'paint'), 30_000)
    .catch((error: Error) => {
      throw new Error(`${error.message}\nwrangler dev said:\n${output.join('').slice(-3000)}`);
    });
  const processSpan = spans.find((s) => s.name === 'process example-jobs')!;
  expectSpanTree(receiver.spansOfTrace(processSpan.traceId), {
    name: 'POST',
    kind: 'SERVER',
    service: 'example-producer',
    children: [
      {
        name: 'send example-jobs',
        kind: 'PRODUCER',
        service: 'example-producer',
        attributes: {
          'messaging.system': 'cloudflare_queues',
          'messaging.destination.name': 'example-jobs',
          'messaging.operation.type': 'send',
          'example.task': 'paint',
        },
        children: [
          {
            name: 'process example-jobs',
            kind: 'CONSUMER',
            service: 'example-consumer',
            attributes: { 'messaging.operation.type': 'process', 'messaging.cloudflare_queues.outcome': 'ack', 'example.task': 'paint' },
          },
        ],
      },
    ],
  });
  expect(processSpan.resource['service.namespace']).toBe('otel-example');
  // The consumer's log line, in the message's trace, with the task from the context.
  const line = await poll(() => logLines().find((l) => l.message === 'task done' && l.trace_id === processSpan.traceId));
  expect(line).toMatchObject({ worker: 'example-consumer', span_id: processSpan.spanId, task: 'paint' });
  expect(processSpan.scope).toBe('otel-example.queue');
}, 60_000);
