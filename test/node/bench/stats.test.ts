import { describe, expect, it } from 'vitest';
import { groupedInterval, meanOfGroups, medianInterval, trimmedMean } from '../../../bench/lib/stats';

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

describe('trimmedMean', () => {
  it('drops the lowest and highest tenth before averaging, so one wild value does not move it', () => {
    expect(trimmedMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBe(5.5);
    expect(trimmedMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000])).toBe(5.5);
    expect(trimmedMean([4, 4, 4])).toBe(4);
  });
});

describe('meanOfGroups and groupedInterval (values in groups that differ, e.g. sets of processes)', () => {
  // Six groups whose levels differ by far more than their values' noise.
  const groups = [0, 10, 20, 30, 40, 50].map((level) => Array.from({ length: 40 }, (_, i) => level + (i % 5)));
  const mean = (s: readonly number[]) => s.reduce((a, b) => a + b, 0) / s.length;

  it('weighs every group the same, however many values it has', () => {
    expect(meanOfGroups([[1, 1, 1, 1], [3]], mean)).toBe(2);
    expect(meanOfGroups(groups, mean)).toBe(27);
    // The statistic gets the group alone, not map's index as a second argument (trimmedMean's trim).
    expect(meanOfGroups([[1, 2, 3, 4, 5, 6, 7, 8, 9, 1000]], trimmedMean)).toBe(5.5);
  });

  it("holds the groups' spread, which an interval over the values pooled leaves out", () => {
    const [low, high] = groupedInterval(groups, mean);
    expect(low).toBeLessThan(27);
    expect(high).toBeGreaterThan(27);
    // The values pooled: each a group of its own.
    const [pooledLow, pooledHigh] = groupedInterval(
      groups.flat().map((value) => [value]),
      mean,
    );
    // Pooled, the 240 values look like one sample: about ±2; drawn group by group, about ±12.
    expect(high - low).toBeGreaterThan(3 * (pooledHigh - pooledLow));
    expect(groupedInterval(groups, mean)).toEqual([low, high]);
  });

  it("is Student's t on the groups' statistics: mean ± t(n − 1) · s / √n", () => {
    // Six groups of one value each: mean 3.5, s = 1.8708, t(5) = 2.571.
    const [low, high] = groupedInterval([[1], [2], [3], [4], [5], [6]], mean);
    expect(low).toBeCloseTo(3.5 - (2.571 * 1.8708) / Math.sqrt(6), 3);
    expect(high).toBeCloseTo(3.5 + (2.571 * 1.8708) / Math.sqrt(6), 3);
    // Two groups: t(1) = 12.706.
    expect(groupedInterval([[0], [2]], mean)).toEqual([1 - 12.706, 1 + 12.706]);
    // One group says nothing about how far groups differ.
    expect(groupedInterval([[1, 2, 3]], mean)).toEqual([Number.NaN, Number.NaN]);
  });

  it('is as narrow as the values allow when the groups agree', () => {
    const same = groups.map(() => groups[0]);
    const [low, high] = groupedInterval(same, mean);
    expect(high - low).toBeLessThan(1);
    expect(groupedInterval([[5, 5], [5]], mean)).toEqual([5, 5]);
    expect(groupedInterval([[5], []], mean)).toEqual([Number.NaN, Number.NaN]);
  });
});
