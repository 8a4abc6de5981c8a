import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of a local process, all its threads, from Linux's /proc/<pid>/task/<tid>/schedstat
 * (first field: nanoseconds on a CPU). Unlike /proc/<pid>/stat's clock ticks (10 ms here) it has
 * the resolution to time one worker invocation. Linux only: elsewhere `available()` is false.
 */
export function processCpuNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read: its time is gone from the total either way.
    }
  }
  return total;
}

export function cpuTimeAvailable(): boolean {
  try {
    return processCpuNs(process.pid) > 0;
  } catch {
    return false;
  }
}

/** The pids of this process's children whose command is `name` (e.g. the workerd Miniflare spawned). */
export function childPids(name: string, parent = process.pid): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Format: pid (comm) state ppid ...; comm may contain spaces, so split after the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === parent && comm === name) pids.push(Number(entry));
    } catch {
      // The process ended while listing.
    }
  }
  return pids;
}
