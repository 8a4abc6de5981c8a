/**
 * `npm run bench:profile [-- --worker generator|dispatcher|both] [--batches N] [--warmup N] [--interval-us N] [--top N] [--out DIR]`
 *
 * Where the time of a traced queue batch goes: the same bundles and batches as the tracing-overhead
 * figure (bench/tracing-overhead.ts), each worker loaded into Miniflare twice (tracing off, tracing
 * on, exporting through the relay), a V8 CPU profile of N batches taken in each through the
 * workerd inspector (DevTools protocol: Profiler.start / Profiler.stop), then:
 * - self time per source module (the bundle keeps esbuild's `// path` comment before each module),
 *   per batch, off vs on: the difference is what tracing costs, module by module;
 * - the top functions by self time in the traced profile.
 * The raw `.cpuprofile` files are written to --out (default: a temporary directory); Chrome
 * DevTools' Performance panel opens them.
 *
 * Needs a WebSocket client: Node 22+ has one; on Node 20 the npm script passes --experimental-websocket.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port';
import { startOtlpReceiver } from '../src/otel/testing';
import { Bundler, type Bundle } from './lib/bundles';
import { stopAll, stopAllOnSignals, track } from './lib/cleanup';
import { startQueueWorker, type QueueWorker } from './lib/miniflare-worker';
import { startOtlpRelay } from './lib/otlp-relay';
import { toMessages, withCarrier } from './lib/queue-messages';
import { median, round } from './lib/stats';
import { BATCH_SIZE, CASES, type Case } from './tracing-overhead';

interface Options {
  workers: Array<Case['worker']>;
  batches: number;
  warmup: number;
  intervalUs: number;
  top: number;
  out?: string;
}

const USAGE = 'usage: npm run bench:profile -- [--worker generator|dispatcher|both] [--batches 10] [--warmup 5] [--interval-us 100] [--top 25] [--out DIR]';

/** A command line this script cannot run: printed without a stack, exit code 2. */
class UsageError extends Error {}

function parseOptions(argv: string[]): Options {
  const options: Options = { workers: ['dispatcher', 'generator'], batches: 10, warmup: 5, intervalUs: 100, top: 25 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    const count = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`${arg} needs a whole number\n${USAGE}`);
      return n;
    };
    if (arg === '--worker') {
      const w = value();
      if (w === 'both') options.workers = ['dispatcher', 'generator'];
      else if (w === 'dispatcher' || w === 'generator') options.workers = [w];
      else throw new UsageError(`unknown worker ${w}\n${USAGE}`);
    } else if (arg === '--batches') options.batches = Math.max(1, count());
    else if (arg === '--warmup') options.warmup = count();
    else if (arg === '--interval-us') options.intervalUs = Math.max(10, count());
    else if (arg === '--top') options.top = Math.max(1, count());
    else if (arg === '--out') options.out = value();
    else throw new UsageError(`unknown argument ${arg}\n${USAGE}`);
  }
  return options;
}

// --- DevTools protocol ------------------------------------------------------------------------

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A minimal DevTools protocol session over the inspector's WebSocket. */
class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
  }

  static async connect(port: number, workerName: string): Promise<Inspector> {
    if (typeof WebSocket === 'undefined')
      throw new Error('no global WebSocket: use Node 22+, or run through `npm run bench:profile` (--experimental-websocket)');
    const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json<Array<{ title: string; webSocketDebuggerUrl: string }>>();
    const target = targets.find((t) => t.webSocketDebuggerUrl.endsWith(`/${workerName}`)) ?? targets[0];
    if (!target) throw new Error(`no inspector target on port ${port}`);
    const ws = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error(`cannot open ${target.webSocketDebuggerUrl}`)), { once: true });
    });
    return new Inspector(ws);
  }

  send<T = unknown>(method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

// --- Attribution ------------------------------------------------------------------------------

/** Line ranges of the bundle's modules: esbuild writes `// <path>` before each module's code. */
function moduleMap(bundle: Bundle): (line: number) => string {
  const lines = readFileSync(bundle.mainPath, 'utf8').split('\n');
  const starts: Array<{ line: number; path: string }> = [];
  lines.forEach((text, i) => {
    // A config outside the repo (a variant) makes the paths relative to it: `// ../../repo/src/…`.
    const m = /^\/\/ (?:\.\.\/)*(?:\S*?\/)??((?:src|node_modules|bench|test)\/\S+)$/.exec(text);
    if (m) starts.push({ line: i, path: m[1] });
  });
  return (line: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle prelude)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid].line <= line) {
        found = starts[mid].path;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return shortModule(found);
  };
}

/** `node_modules/@opentelemetry/core/build/src/x.js` → `@opentelemetry/core/x.js`; ours stay as they are. */
function shortModule(path: string): string {
  const nm = path.lastIndexOf('node_modules/');
  if (nm < 0) return path;
  return path
    .slice(nm + 'node_modules/'.length)
    .replace(/\/(?:build\/)?(?:src|dist|esm|lib)\//, '/')
    .replace(/\/build\/(?:esm|src)\//, '/');
}

/** The tracing code, for the "tracing share" line: ours and the OpenTelemetry libraries. */
function isTracing(module: string): boolean {
  return module.startsWith('src/otel/') || module.startsWith('@opentelemetry/') || module.startsWith('@microlabs/');
}

interface Attribution {
  /** Self time per module, ms per batch (without idle). */
  modules: Map<string, number>;
  /** Self time per function (`name module:line`), ms per batch. */
  functions: Map<string, number>;
  /** Sampled time that was not idle, ms per batch. */
  busyMs: number;
}

/**
 * A sample's interval is `timeDeltas[i]` (the time since the previous sample). Workerd's profiles
 * have gaps: a few times per batch no sample comes for 40-100 ms (seen in dispatcher profiles at
 * 100 µs sampling, while the isolate waits on I/O), and the next sample carries the whole gap.
 * Charged as it is, it made whichever function happened to start the next task look expensive
 * (an API version check, a clock read). A gap is charged as one typical interval (the median).
 */
function sampleWeights(profile: CpuProfile): number[] {
  const sorted = [...profile.timeDeltas].sort((a, b) => a - b);
  const typical = sorted[sorted.length >> 1] ?? 0;
  return profile.samples.map((_, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    return delta > GAP_FACTOR * typical ? typical : delta;
  });
}
const GAP_FACTOR = 5;

/**
 * Self time per module and per function. A sample in the runtime (a native call such as
 * `queue.send`'s serialization, `JSON.stringify`, `console.log`) is charged to the innermost
 * bundle function on its stack, i.e. to the code that made the call: otherwise the same native
 * work shows as "(native)" when one mode makes it and as a tracing wrapper's when the other does.
 * GC, "(program)" and "(idle)" stay what they are.
 */
function attribute(profile: CpuProfile, bundle: Bundle, batches: number): Attribution {
  const moduleOf = moduleMap(bundle);
  const bundleFile = bundle.mainPath.replace(/^.*\//, '');
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const charged = new Map<number, { module: string; fn: string }>();
  const chargeOf = (leafId: number) => {
    let found = charged.get(leafId);
    if (found) return found;
    const leaf = byId.get(leafId)!.callFrame;
    if (leaf.url === '' && leaf.functionName.startsWith('(')) found = { module: leaf.functionName, fn: leaf.functionName };
    else {
      for (let id: number | undefined = leafId; id !== undefined; id = parentOf.get(id)) {
        const frame = byId.get(id)!.callFrame;
        if (!frame.url.endsWith(bundleFile)) continue;
        const module = moduleOf(frame.lineNumber);
        found = { module, fn: `${frame.functionName || '(anonymous)'}  ${module}:${frame.lineNumber + 1}` };
        break;
      }
      found ??= { module: '(runtime)', fn: `${leaf.functionName || '(anonymous)'}  (runtime)` };
    }
    charged.set(leafId, found);
    return found;
  };
  const weights = sampleWeights(profile);
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const { module, fn } = chargeOf(id);
    if (module === '(idle)') return;
    busyUs += weights[i];
    modules.set(module, (modules.get(module) ?? 0) + weights[i]);
    functions.set(fn, (functions.get(fn) ?? 0) + weights[i]);
  });
  const perBatch = (m: Map<string, number>) => new Map([...m].map(([k, us]) => [k, us / 1000 / batches]));
  return { modules: perBatch(modules), functions: perBatch(functions), busyMs: busyUs / 1000 / batches };
}

// --- Running ------------------------------------------------------------------------------------

async function runBatch(worker: QueueWorker, c: Case, traced: boolean, id: string): Promise<number> {
  const messages = toMessages(
    c.bodies().map((b) => withCarrier(b, traced)),
    id,
  );
  const start = performance.now();
  const result = await worker.queue(c.queue, messages);
  const elapsed = performance.now() - start;
  if (result.outcome !== 'ok' || result.explicitAcks.length !== messages.length) {
    throw new Error(
      `${c.worker}: batch not fully acked (${result.outcome}, ${result.explicitAcks.length}/${messages.length})\n${worker.recentLogs().slice(-5).join('\n')}`,
    );
  }
  return elapsed;
}

interface ModeResult {
  mode: 'off' | 'on';
  wallMs: number[];
  attribution: Attribution;
  file: string;
}

async function profileMode(
  bundle: Bundle,
  c: Case,
  mode: 'off' | 'on',
  vars: Record<string, string>,
  options: Options,
  outDir: string,
  drained: () => Promise<void>,
): Promise<ModeResult> {
  const port = await freePort();
  const worker = await startQueueWorker(bundle, vars, { inspectorPort: port });
  try {
    let n = 0;
    for (let i = 0; i < options.warmup; i++) {
      await runBatch(worker, c, mode === 'on', `warm-${n++}`);
      await drained();
    }
    const inspector = await Inspector.connect(port, bundle.config.name);
    try {
      await inspector.send('Profiler.enable');
      await inspector.send('Profiler.setSamplingInterval', { interval: options.intervalUs });
      await inspector.send('Profiler.start');
      const wallMs: number[] = [];
      for (let i = 0; i < options.batches; i++) {
        wallMs.push(await runBatch(worker, c, mode === 'on', `prof-${n++}`));
        // The relay forwards after answering: let it finish outside the next batch.
        await drained();
      }
      const { profile } = await inspector.send<{ profile: CpuProfile }>('Profiler.stop');
      const file = join(outDir, `${c.worker}-${mode}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return { mode, wallMs, attribution: attribute(profile, bundle, options.batches), file };
    } finally {
      inspector.close();
    }
  } finally {
    await worker.dispose();
  }
}

function fmt(ms: number): string {
  return ms.toFixed(2).padStart(8);
}

function report(c: Case, off: ModeResult, on: ModeResult, options: Options): object {
  const lines: string[] = [];
  const tracingMs = (a: Attribution) => [...a.modules].filter(([m]) => isTracing(m)).reduce((s, [, ms]) => s + ms, 0);
  lines.push(`\n== ${c.worker}: ${BATCH_SIZE}-message batch, ${options.batches} batches profiled per mode, sampling every ${options.intervalUs} µs`);
  lines.push(`wall per batch (median, profiler attached): off ${median(off.wallMs).toFixed(1)} ms, on ${median(on.wallMs).toFixed(1)} ms`);
  lines.push(
    `CPU sampled per batch (not idle): off ${off.attribution.busyMs.toFixed(2)} ms, on ${on.attribution.busyMs.toFixed(2)} ms ` +
      `(+${(on.attribution.busyMs - off.attribution.busyMs).toFixed(2)} ms, +${(((on.attribution.busyMs - off.attribution.busyMs) / BATCH_SIZE) * 1000).toFixed(0)} µs/msg); ` +
      `self time in tracing modules when on: ${tracingMs(on.attribution).toFixed(2)} ms (${((tracingMs(on.attribution) / on.attribution.busyMs) * 100).toFixed(1)} %)`,
  );
  const modules = new Set([...off.attribution.modules.keys(), ...on.attribution.modules.keys()]);
  const rows = [...modules]
    .map((m) => ({ m, off: off.attribution.modules.get(m) ?? 0, on: on.attribution.modules.get(m) ?? 0 }))
    .sort((a, b) => b.on - b.off - (a.on - a.off));
  lines.push(`\nself time per module, ms per batch (sorted by on − off; top ${options.top}):`);
  lines.push(`${'off'.padStart(8)} ${'on'.padStart(8)} ${'on−off'.padStart(8)}  module`);
  for (const r of rows.slice(0, options.top)) lines.push(`${fmt(r.off)} ${fmt(r.on)} ${fmt(r.on - r.off)}  ${r.m}`);
  // A native call is charged to its caller, and when tracing is on the caller is often a tracing
  // wrapper (the binding proxy around an R2 put): that time left the application module, not appeared.
  const moved = rows
    .filter((r) => r.on - r.off < -0.5)
    .reverse()
    .slice(0, 5);
  if (moved.length > 0) {
    lines.push(`\nless self time when on (native calls now made from a tracing wrapper's frame; subtract from the rows above):`);
    for (const r of moved) lines.push(`${fmt(r.off)} ${fmt(r.on)} ${fmt(r.on - r.off)}  ${r.m}`);
  }
  const fns = [...on.attribution.functions].sort((a, b) => b[1] - a[1]);
  lines.push(`\ntop ${options.top} functions by self time, tracing on, ms per batch:`);
  for (const [name, ms] of fns.slice(0, options.top)) lines.push(`${fmt(ms)}  ${name}`);
  const tracingFns = fns.filter(([name]) => isTracing(name.split('  ')[1] ?? ''));
  lines.push(`\ntop ${options.top} tracing functions by self time, ms per batch:`);
  for (const [name, ms] of tracingFns.slice(0, options.top)) lines.push(`${fmt(ms)}  ${name}`);
  lines.push(`\nprofiles: ${off.file}, ${on.file}`);
  console.log(lines.join('\n'));
  return {
    worker: c.worker,
    batches: options.batches,
    wallMedianMs: { off: round(median(off.wallMs)), on: round(median(on.wallMs)) },
    busyMsPerBatch: { off: round(off.attribution.busyMs), on: round(on.attribution.busyMs) },
    tracingSelfMsPerBatch: round(tracingMs(on.attribution)),
    modules: rows.map((r) => ({ module: r.m, offMs: round(r.off), onMs: round(r.on) })),
    topFunctions: fns.slice(0, options.top).map(([name, ms]) => ({ name, ms: round(ms) })),
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  stopAllOnSignals();
  const tmp = mkdtempSync(join(tmpdir(), 'wl-profile-'));
  const outDir = options.out ?? join(tmp, 'profiles');
  mkdirSync(outDir, { recursive: true });
  const bundler = new Bundler(tmp);
  const receiver = await startOtlpReceiver();
  const closeReceiver = track('OTLP receiver (profile)', () => receiver.close());
  const summaries: object[] = [];
  try {
    const relay = await startOtlpRelay(receiver.url);
    const drained = async () => {
      await relay.drained();
      receiver.clear();
    };
    try {
      for (const c of CASES.filter((x) => options.workers.includes(x.worker))) {
        console.error(`[profile] ${c.worker}: building and profiling…`);
        const bundle = await bundler.worker(c.worker);
        const off = await profileMode(bundle, c, 'off', { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: relay.url }, options, outDir, drained);
        const on = await profileMode(bundle, c, 'on', { OTEL_EXPORTER_OTLP_ENDPOINT: relay.url }, options, outDir, drained);
        summaries.push(report(c, off, on, options));
      }
    } finally {
      await relay.close();
    }
    writeFileSync(join(outDir, 'summary.json'), JSON.stringify(summaries, null, 2));
    console.error(`[profile] summary: ${join(outDir, 'summary.json')}`);
    return 0;
  } finally {
    await closeReceiver();
    // Only the profiles are kept (in the temporary directory when no --out was given).
    rmSync(options.out ? tmp : join(tmp, 'bundles'), { recursive: true, force: true });
    if (!options.out) console.error(`[profile] profiles kept in ${outDir} (delete when done)`);
  }
}

// The chain handles every error: main's are reported below, and stopAll reports its own and never throws.
void main()
  .catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  })
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  });
