import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { benchCpu } from '../../../bench/lib/pin-cpu';

describe('the CPU the timed bench processes run on (bench/lib/pin-cpu.ts)', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is the last CPU unless BENCH_CPU says otherwise', () => {
    vi.stubEnv('BENCH_CPU', '');
    expect(benchCpu()).toBe(availableParallelism() - 1);
    vi.stubEnv('BENCH_CPU', '0');
    expect(benchCpu()).toBe(0);
  });

  it('is none with BENCH_CPU=none, and refuses anything that is not a CPU number', () => {
    vi.stubEnv('BENCH_CPU', 'none');
    expect(benchCpu()).toBeUndefined();
    vi.stubEnv('BENCH_CPU', 'fast');
    expect(() => benchCpu()).toThrow(/BENCH_CPU must be a CPU number/);
    vi.stubEnv('BENCH_CPU', '-1');
    expect(() => benchCpu()).toThrow(/BENCH_CPU/);
  });
});
