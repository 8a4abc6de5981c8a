import { describe, expect, it } from 'vitest';
import { medianInterval } from '../../../bench/lib/stats';

describe('medianInterval', () => {
  it('gives the 10th and 21st of 30 values at 95 % (P(Bin(30, ½) ≤ 9) = 0.021, ≤ 10 = 0.049)', () => {
    const values = Array.from({ length: 30 }, (_, i) => 30 - i); // unsorted on purpose
    expect(medianInterval(values)).toEqual([10, 21]);
  });

  it('gives the 40th and 61st of 100 values at 95 %', () => {
    expect(medianInterval(Array.from({ length: 100 }, (_, i) => i + 1))).toEqual([40, 61]);
  });

  it('falls back to [min, max] when there are too few values for the level', () => {
    expect(medianInterval([3, 1, 2])).toEqual([1, 3]);
  });
});
