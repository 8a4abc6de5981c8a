import { afterEach, describe, expect, it, vi } from 'vitest';
import { semiSpaceMb } from '../../../bench/tracing-js';

describe('the young generation the timed bench processes get (bench/tracing-js.ts)', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is a 16 MB semi-space unless BENCH_SEMI_SPACE_MB says otherwise', () => {
    vi.stubEnv('BENCH_SEMI_SPACE_MB', '');
    expect(semiSpaceMb()).toBe(16);
    vi.stubEnv('BENCH_SEMI_SPACE_MB', '32');
    expect(semiSpaceMb()).toBe(32);
  });

  it('refuses anything that is not a whole number of MB', () => {
    for (const value of ['0', '-8', '1.5', 'big']) {
      vi.stubEnv('BENCH_SEMI_SPACE_MB', value);
      expect(() => semiSpaceMb()).toThrow(/BENCH_SEMI_SPACE_MB must be a whole number of MB/);
    }
  });
});
