// A child process that runs ONE bundled worker's queue handler in Node, with in-memory bindings,
// for bench/tracing-js.ts. Plain JavaScript: the process runs without tsx's loader. It is started
// with V8's --single-threaded (tracing-js.ts), so the garbage collection and compilation a batch
// causes run on this one thread and count in its CPU time, and no helper thread of ours competes
// for the core's other hyperthread while a batch is timed.
//
// Why Node at all: inside workerd the clock stands still while JavaScript runs, and a batch's wall
// time there is mostly Miniflare's KV/R2/queue simulators and this VM's noise. Here the same bundle's
// JavaScript is timed alone: the bindings answer from memory, a queue send costs the structured
// clone the runtime makes of a body, and the OTLP export is serialized but answered at once.
import { readFileSync, writeFileSync } from 'node:fs';
import { threadCpuMs } from './thread-cpu.mjs';

/** The first message from the parent says what to run. */
const workerData = await new Promise((resolve) => process.once('message', resolve));
const { mainPath, kv, r2, queues, vars, semiSpaceMb = 0 } = workerData;

// The bundle's one runtime import Node lacks (otel-cf-workers checks `instanceof DurableObject`).
const CLOUDFLARE_WORKERS = 'data:text/javascript,export class DurableObject {} export class WorkerEntrypoint {} export const env = {};';
const source = readFileSync(mainPath, 'utf8');
// A bundle without otel-cf-workers (the uninstrumented variant) has none to replace.
if (workerData.instrumented !== false && !source.includes('from "cloudflare:workers"'))
  throw new Error(`${mainPath}: no cloudflare:workers import to stand in for (has the bundle changed?)`);
const nodePath = mainPath.replace(/\.js$/, '.node.mjs');
writeFileSync(nodePath, source.replaceAll('from "cloudflare:workers"', `from ${JSON.stringify(CLOUDFLARE_WORKERS)}`));

// workerd globals the bundle uses: otel-cf-workers waits 1 ms with scheduler.wait before exporting.
globalThis.scheduler ??= { wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
// The OTLP export (already serialized when it gets here) is answered at once; nothing else may fetch.
globalThis.fetch = async (url) => {
  if (String(url).endsWith('/v1/traces')) return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  throw new Error(`bundle-in-node: unexpected fetch ${url}`);
};
// Log lines are still formatted (the log bridge wraps these), just not written.
for (const method of ['debug', 'log', 'info', 'warn', 'error']) console[method] = () => {};

function memoryKV() {
  const store = new Map();
  return {
    async get(key) {
      return store.get(key)?.value ?? null;
    },
    async getWithMetadata(key) {
      const entry = store.get(key);
      return { value: entry?.value ?? null, metadata: entry?.metadata ?? null, cacheStatus: null };
    },
    async put(key, value, options) {
      store.set(key, { value: String(value), metadata: options?.metadata ?? null });
    },
    async delete(key) {
      store.delete(key);
    },
    async list(options = {}) {
      const keys = [...store.keys()]
        .filter((k) => k.startsWith(options.prefix ?? ''))
        .sort()
        .map((name) => ({ name, metadata: store.get(name).metadata ?? undefined }));
      return { keys, list_complete: true, cacheStatus: null };
    },
  };
}

function memoryR2() {
  const store = new Map();
  let version = 0;
  const head = (key) => {
    const o = store.get(key);
    return o
      ? { key, etag: o.etag, httpEtag: `"${o.etag}"`, size: o.size, uploaded: o.uploaded, customMetadata: o.customMetadata, httpMetadata: o.httpMetadata }
      : null;
  };
  return {
    async head(key) {
      return head(key);
    },
    async get(key) {
      const o = store.get(key);
      return o ? { ...head(key), body: new Blob([o.bytes]).stream(), arrayBuffer: async () => o.bytes.buffer } : null;
    },
    // Conditional puts (`onlyIf`) always succeed here: each round writes what the last one wrote.
    async put(key, value, options = {}) {
      const bytes = value instanceof Uint8Array ? value : new TextEncoder().encode(String(value));
      store.set(key, {
        bytes,
        size: bytes.byteLength,
        etag: `e${++version}`,
        uploaded: new Date(),
        customMetadata: options.customMetadata ?? {},
        httpMetadata: options.httpMetadata ?? {},
      });
      return head(key);
    },
    async delete(key) {
      store.delete(key);
    },
    async list(options = {}) {
      const objects = [...store.keys()]
        .filter((k) => k.startsWith(options.prefix ?? ''))
        .sort()
        .map(head);
      return { objects, truncated: false, delimitedPrefixes: [] };
    },
    createMultipartUpload() {
      throw new Error('bundle-in-node: multipart uploads are not simulated');
    },
  };
}

function memoryQueue() {
  return {
    async send(body) {
      structuredClone(body);
    },
    async sendBatch(messages) {
      for (const m of messages) structuredClone(m.body);
    },
  };
}

const env = { ...vars };
for (const binding of kv) env[binding] = memoryKV();
for (const binding of r2) env[binding] = memoryR2();
for (const binding of queues) env[binding] = memoryQueue();

const worker = (await import(nodePath)).default;

/** This thread's CPU clock when the last batch ended: the next batch's cycle counts from there. */
let lastBatchEnd = threadCpuMs();

/**
 * Allocates a random share of the young generation (`semiSpaceMb`, fixed by the parent's V8 flags)
 * in short-lived 1 KB arrays, so that the next scavenge falls at a random point of the next batch.
 * A scavenge costs what is alive at that moment: in the middle of a batch, every message in flight;
 * at its edges, almost nothing. Batch after identical batch, a process otherwise keeps hitting the
 * same point, lucky or not, and a few hundred bytes more a message (tracing's) moved it: the same
 * traced dispatcher read 36, 46 and 50 µs a message with 16, 32 and 8 MB semi-spaces (2026-12-06).
 * Shifted, tracing's share of the batch read 30 to 34 % (dispatcher) and 16 to 17 % (generator) at
 * all three sizes. Its own CPU is not the batch's.
 */
function shiftScavengePoint() {
  if (semiSpaceMb === 0) return;
  const start = threadCpuMs();
  let kept;
  for (let bytes = Math.random() * semiSpaceMb * 2 ** 20; bytes > 0; bytes -= 1024) kept = new Array(126);
  void kept;
  lastBatchEnd += threadCpuMs() - start;
}

/** Runs one batch through the worker's queue handler and posts the result, or the error, to the parent. */
async function runBatch({ queue, bodies, idPrefix }) {
  try {
    let acked = 0;
    let retried = 0;
    const timestamp = new Date();
    const messages = bodies.map((body, i) => ({ id: `${idPrefix}-${i}`, timestamp, attempts: 1, body, ack: () => void acked++, retry: () => void retried++ }));
    const batch = { queue, messages, ackAll: () => void (acked = messages.length), retryAll: () => void (retried = messages.length) };
    const waits = [];
    const ctx = { waitUntil: (p) => void waits.push(p), passThroughOnException() {}, props: {} };
    shiftScavengePoint();
    const start = performance.now();
    const cpuStart = threadCpuMs();
    await worker.queue(batch, env, ctx);
    while (waits.length > 0) await Promise.allSettled(waits.splice(0));
    const cpuEnd = threadCpuMs();
    const ms = performance.now() - start;
    // This thread's CPU time (thread-cpu.mjs), which unlike the wall time leaves out time the thread
    // waited (otel-cf-workers' 1 ms scheduler.wait before its export) and time other processes on a
    // busy machine took the core. Two spans of it:
    // - handlerCpuMs: from the handler's call until it and its waitUntil promises settled;
    // - cpuMs: the whole cycle since the last batch ended. V8 can leave work to tasks of the event
    //   loop (with incremental marking, most of a full collection), which run whenever the loop turns:
    //   inside a traced batch, during its 1 ms wait, but after an untraced one (all microtasks) only
    //   while the next job arrives, where the handler's time missed them. The cycle counts them
    //   wherever they ran, and also receiving the next job over IPC: the same work for every variant
    //   but the carrier's few bytes.
    const cpuMs = cpuEnd - lastBatchEnd;
    const handlerCpuMs = cpuEnd - cpuStart;
    lastBatchEnd = cpuEnd;
    process.send({ ms, cpuMs, handlerCpuMs, acked, retried });
  } catch (error) {
    process.send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

process.on('message', (job) => void runBatch(job));
process.send({ ready: true });
