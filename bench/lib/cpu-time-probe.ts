import { join } from 'node:path';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { track } from './cleanup';
import { ROOT } from './paths';
import { childPids, processCpuNs } from './process-cpu';
import { round, sleep } from './stats';

/** What the local runtime's Tail Worker events said about invocations whose CPU time is known to be large. */
export interface CpuTimeProbe {
  /** True when the runtime reported a nonzero `cpuTime` for every probe invocation. */
  reported: boolean;
  /** Per probe invocation: the TraceItem's `cpuTime` and `wallTime` (ms), and the workerd process's CPU over the call (ms). */
  invocations: Array<{ cpuTime: number; wallTime: number; processCpuMs: number }>;
}

const COMPATIBILITY_DATE = '2026-11-17';
const SPIN_ITERATIONS = [5_000_000, 20_000_000];
const TAIL_TIMEOUT_MS = 10_000;

/**
 * Asks the local runtime for its own CPU accounting: a worker that spins (bench/variants/cpu-time-spin.js)
 * with a classic Tail Worker attached (bench/variants/cpu-time-tail.js), as `tail_consumers` would
 * attach it. Each spin takes milliseconds to tens of milliseconds of the workerd process's CPU; a
 * runtime that accounts CPU per invocation reports a `cpuTime` of that order in the TraceItem.
 * workerd 2026-11-17 (wrangler 4.164) reports 0 for both `cpuTime` and `wallTime`: its server sets
 * both to `0 * kj::MILLISECONDS` when it ends an invocation's trace (src/workerd/server/server.c++,
 * RequestObserverWithTracer). So does workerd 2026-11-23, the newest on npm on 2026-12-06 (this
 * probe with MINIFLARE_WORKERD_PATH pointing at it). Cloudflare publishes them for deployed workers
 * (changelog 2025-04-09, "CPU time and Wall time now published for Workers Invocations").
 */
export async function probeRuntimeCpuTime(): Promise<CpuTimeProbe> {
  const before = new Set(childPids('workerd'));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      workers: [
        {
          name: 'cpu-time-spin',
          modules: true,
          scriptPath: join(ROOT, 'bench/variants/cpu-time-spin.js'),
          compatibilityDate: COMPATIBILITY_DATE,
          tails: ['cpu-time-tail'],
        },
        { name: 'cpu-time-tail', modules: true, scriptPath: join(ROOT, 'bench/variants/cpu-time-tail.js'), compatibilityDate: COMPATIBILITY_DATE },
      ],
    }),
  );
  const release = track('miniflare cpu-time probe', () => mf.dispose());
  try {
    const spin = await mf.getWorker('cpu-time-spin');
    const tail = await mf.getWorker('cpu-time-tail');
    const spawned = childPids('workerd').filter((pid) => !before.has(pid));
    const pid = spawned.length === 1 ? spawned[0] : undefined;
    const processCpuMs: number[] = [];
    for (const iterations of SPIN_ITERATIONS) {
      const cpu0 = pid === undefined ? 0 : processCpuNs(pid);
      const res = await spin.fetch(`http://probe.local/?iterations=${iterations}`);
      await res.text();
      processCpuMs.push(pid === undefined ? Number.NaN : (processCpuNs(pid) - cpu0) / 1e6);
    }
    // Tail events arrive after the invocation: a bounded poll until there is one per call.
    const deadline = Date.now() + TAIL_TIMEOUT_MS;
    let items: Array<{ cpuTime: number; wallTime: number }> = [];
    for (;;) {
      items = (await (await tail.fetch('http://probe.local/')).json()) as typeof items;
      if (items.length >= SPIN_ITERATIONS.length) break;
      if (Date.now() > deadline) throw new Error(`the Tail Worker received ${items.length} of ${SPIN_ITERATIONS.length} events within ${TAIL_TIMEOUT_MS} ms`);
      await sleep(50);
    }
    const invocations = items.map((item, i) => ({ cpuTime: item.cpuTime, wallTime: item.wallTime, processCpuMs: round(processCpuMs[i], 2) }));
    return { reported: invocations.every((i) => i.cpuTime > 0), invocations };
  } finally {
    await release();
  }
}
