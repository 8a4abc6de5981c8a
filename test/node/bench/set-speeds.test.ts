import { describe, expect, it } from 'vitest';
import { setSpeeds, SLOW_SET_RATIO } from '../../../bench/tracing-js';

describe('setSpeeds', () => {
  it('names the sets whose untraced batch ran at least SLOW_SET_RATIO times the fastest set', () => {
    // Medians 50, 51, 75, 49: the third set is 75 / 49 ≈ 1.53 times the fastest.
    const untraced = [
      [50, 49, 51],
      [51, 52, 50],
      [75, 74, 90],
      [49, 48, 60],
    ];
    expect(setSpeeds(untraced)).toEqual({ untracedMs: [50, 51, 75, 49], slowSets: [2] });
  });

  it('finds none when the sets ran at about one speed', () => {
    const untraced = [[11.0], [11.5], [11.0 * SLOW_SET_RATIO - 0.1]];
    expect(setSpeeds(untraced).slowSets).toEqual([]);
  });

  it('counts a set exactly at the ratio as slow', () => {
    expect(setSpeeds([[10], [10 * SLOW_SET_RATIO]]).slowSets).toEqual([1]);
  });
});
