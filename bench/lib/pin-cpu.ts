import { execFileSync } from 'node:child_process';
import { availableParallelism, platform } from 'node:os';

/**
 * The CPU the timed bench processes are pinned to: `BENCH_CPU` (a CPU number, or `none` to leave
 * them to the scheduler), else the last one. On this 2-vCPU VM the two vCPUs ran the same batch at
 * different speeds (2026-12-06, one run after the other: the untraced dispatcher batch 13.3 ms a
 * batch pinned to CPU 1, 16.9 pinned to CPU 0), and a process the scheduler keeps on the slower
 * one is slower for its whole life: a paired figure then compares processes on different CPUs (one
 * run: the tracing-off process at 19.5 ms a batch, the same code uninstrumented at 12.7). The
 * processes of a run take turns and never run at once, so one CPU serves them all.
 */
export function benchCpu(): number | undefined {
  const given = process.env.BENCH_CPU;
  if (given === 'none') return undefined;
  if (given !== undefined && given !== '') {
    const cpu = Number(given);
    if (!Number.isInteger(cpu) || cpu < 0) throw new Error(`BENCH_CPU must be a CPU number or "none", not ${given}`);
    return cpu;
  }
  return availableParallelism() - 1;
}

let failed = false;

/** The CPU every process so far was pinned to, or undefined when they were not (or one could not be). */
export function pinnedCpu(): number | undefined {
  return failed ? undefined : benchCpu();
}

/** Pins every thread of process `pid` to {@link benchCpu} with util-linux's `taskset`; says once when it cannot. */
export function pinToBenchCpu(pid: number | undefined): void {
  const cpu = benchCpu();
  if (cpu === undefined || pid === undefined) return;
  try {
    if (platform() !== 'linux') throw new Error(`no taskset on ${platform()}`);
    execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', String(cpu), String(pid)], { stdio: 'ignore' });
  } catch (error) {
    if (!failed) console.error(`[bench] processes not pinned to CPU ${cpu} (${(error as Error).message}): figures may move more between runs`);
    failed = true;
  }
}
