import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Bundle, Bundler } from './lib/bundles';
import { track } from './lib/cleanup';
import { withCarrier } from './lib/queue-messages';
import { median, medianInterval, round } from './lib/stats';
import { fmtMs, type FigureResult, type Row } from './table';
import { BATCH_SIZE, CASES, type Case } from './tracing-overhead';

/**
 * Figure: what tracing costs in JavaScript alone, per 100-message batch. The same bundles and
 * batches as the tracing-overhead figure, run in Node worker threads with in-memory bindings
 * (lib/bundle-in-node.mjs), one thread with OTEL_SDK_DISABLED=true and one tracing, alternating
 * batch by batch. Without Miniflare's simulators and the local OTLP round trip, the paired
 * difference is steady enough to tell a 1 ms change from noise, which the wall-time figure on
 * this VM cannot; it is not the wall-time ratio the targets are set on.
 */
interface JsCostRaw {
  worker: string;
  rounds: number;
  offMs: number[];
  onMs: number[];
  medianOffMs: number;
  medianOnMs: number;
  /** Median of per-round (on − off), with its 95 % interval. */
  addedMs: number;
  addedMsInterval: [number, number];
}

interface Reply {
  ms?: number;
  acked?: number;
  retried?: number;
  error?: string;
  ready?: boolean;
}

class BundleThread {
  private constructor(private readonly worker: Worker) {}

  static async start(bundle: Bundle, vars: Record<string, string>): Promise<BundleThread> {
    const { config } = bundle;
    const worker = new Worker(join(import.meta.dirname, 'lib/bundle-in-node.mjs'), {
      workerData: {
        mainPath: bundle.mainPath,
        kv: (config.kv_namespaces ?? []).map((k) => k.binding),
        r2: (config.r2_buckets ?? []).map((r) => r.binding),
        queues: (config.queues?.producers ?? []).map((p) => p.binding),
        vars: { ...(config.vars ?? {}), DEPLOYMENT_ENVIRONMENT: 'bench', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otlp.invalid', ...vars },
      },
      // No tsx here: the thread runs plain JavaScript and the bundle.
      execArgv: [],
    });
    const thread = new BundleThread(worker);
    const first = await thread.next();
    if (!first.ready) throw new Error(`bundle-in-node did not start: ${first.error ?? JSON.stringify(first)}`);
    return thread;
  }

  private next(): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: Reply) => {
        this.worker.off('error', onError);
        resolve(reply);
      };
      const onError = (error: Error) => {
        this.worker.off('message', onMessage);
        reject(error);
      };
      this.worker.once('message', onMessage);
      this.worker.once('error', onError);
    });
  }

  async batch(queue: string, bodies: object[], idPrefix: string): Promise<number> {
    const reply = this.next();
    this.worker.postMessage({ queue, bodies, idPrefix });
    const r = await reply;
    if (r.error) throw new Error(r.error);
    if (r.acked !== bodies.length || r.retried !== 0) throw new Error(`batch not fully acked in Node: acked ${r.acked}/${bodies.length}, retried ${r.retried}`);
    return r.ms!;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

async function measure(c: Case, bundle: Bundle, rounds: number, warmup: number): Promise<JsCostRaw> {
  const off = await BundleThread.start(bundle, { OTEL_SDK_DISABLED: 'true' });
  const stopOff = track(`bundle-in-node ${c.worker} off`, () => off.stop());
  try {
    const on = await BundleThread.start(bundle, {});
    const stopOn = track(`bundle-in-node ${c.worker} on`, () => on.stop());
    try {
      let n = 0;
      const runOff = () => off.batch(c.queue, c.bodies().map((b) => withCarrier(b, false)), `off-${n++}`);
      const runOn = () => on.batch(c.queue, c.bodies().map((b) => withCarrier(b, true)), `on-${n++}`);
      for (let i = 0; i < warmup; i++) {
        await runOff();
        await runOn();
      }
      const offMs: number[] = [];
      const onMs: number[] = [];
      for (let i = 0; i < rounds; i++) {
        if (i % 2 === 0) {
          offMs.push(await runOff());
          onMs.push(await runOn());
        } else {
          onMs.push(await runOn());
          offMs.push(await runOff());
        }
      }
      const added = onMs.map((v, i) => v - offMs[i]);
      return {
        worker: c.worker,
        rounds,
        offMs: offMs.map((v) => round(v)),
        onMs: onMs.map((v) => round(v)),
        medianOffMs: round(median(offMs)),
        medianOnMs: round(median(onMs)),
        addedMs: round(median(added)),
        addedMsInterval: medianInterval(added).map((v) => round(v)) as [number, number],
      };
    } finally {
      await stopOn();
    }
  } finally {
    await stopOff();
  }
}

export async function benchTracingJs(bundler: Bundler, options: { quick: boolean }): Promise<FigureResult> {
  const raws: JsCostRaw[] = [];
  for (const c of CASES) {
    const bundle = await bundler.worker(c.worker);
    // The generator renders 100 images a batch (~0.1 s here): fewer rounds give it the same minute.
    const rounds = options.quick ? 30 : c.worker === 'generator' ? 120 : 300;
    raws.push(await measure(c, bundle, rounds, options.quick ? 5 : 20));
  }
  const rows: Row[] = raws.map((r) => ({
    figure: `tracing JS cost: ${r.worker} (${BATCH_SIZE}-msg batch, Node)`,
    measured:
      `+${fmtMs(r.addedMs)} per batch (+${((r.addedMs / BATCH_SIZE) * 1000).toFixed(0)} µs/msg; 95 % CI ${r.addedMsInterval[0].toFixed(1)}–${r.addedMsInterval[1].toFixed(1)} ms); ` +
      `off ${fmtMs(r.medianOffMs)}, on ${fmtMs(r.medianOnMs)}`,
    target: '— (diagnostic)',
    met: null,
    how: `Node worker threads, same bundle with in-memory bindings, tracing off vs on, alternating; median of ${r.rounds} paired differences`,
  }));
  return { rows, raw: raws };
}
