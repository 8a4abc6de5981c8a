import { describe, expect, it } from 'vitest';
import { formatTable, judge, judgedRow } from '../../../bench/table';

describe('judge: a verdict only where the interval lies wholly on one side of the target', () => {
  it('says met when the whole interval meets an "at most" target', () => {
    expect(judge({ interval: [6.7, 7.3], limit: 10, sense: 'at most' })).toBe(true);
  });

  it('says missed when none of the interval meets it', () => {
    expect(judge({ interval: [10.6, 12.4], limit: 10, sense: 'at most' })).toBe(false);
  });

  it('does not judge an interval that reaches across the target, even with the median on the good side', () => {
    // The median (9.5) meets ≤ 10, but the interval is wider than its gap to the target (0.5).
    expect(judge({ interval: [8.9, 10.4], limit: 10, sense: 'at most' })).toBe('not judged');
    expect(judge({ interval: [9.8, 11.0], limit: 10, sense: 'at most' })).toBe('not judged');
  });

  it('can show an upper bound under the target met, never a bound over it missed', () => {
    expect(judge({ interval: [0, 8.2], limit: 10, sense: 'at most' })).toBe(true);
    expect(judge({ interval: [0, 24.1], limit: 10, sense: 'at most' })).toBe('not judged');
  });

  it('judges "at least" targets the same way', () => {
    expect(judge({ interval: [12, 15], limit: 10, sense: 'at least' })).toBe(true);
    expect(judge({ interval: [3, 8], limit: 10, sense: 'at least' })).toBe(false);
    expect(judge({ interval: [8, 12], limit: 10, sense: 'at least' })).toBe('not judged');
  });

  it('judges an exact value (an interval of one point), and a point on the target meets it', () => {
    expect(judge({ interval: [10, 10], limit: 10, sense: 'at most' })).toBe(true);
    expect(judge({ interval: [11, 11], limit: 10, sense: 'at most' })).toBe(false);
  });

  it('does not judge a missing interval (NaN from no samples)', () => {
    expect(judge({ interval: [Number.NaN, Number.NaN], limit: 10, sense: 'at most' })).toBe('not judged');
  });
});

describe('formatTable', () => {
  it('prints the three verdicts and no verdict', () => {
    const how = 'x';
    const table = formatTable([
      judgedRow({ figure: 'a', measured: '1', target: '≤ 2', how }, { interval: [0.9, 1.1], limit: 2, sense: 'at most' }),
      judgedRow({ figure: 'b', measured: '3', target: '≤ 2', how }, { interval: [2.9, 3.1], limit: 2, sense: 'at most' }),
      judgedRow({ figure: 'c', measured: '2', target: '≤ 2', how }, { interval: [1.5, 2.5], limit: 2, sense: 'at most' }),
      { figure: 'd', measured: '4', target: '—', met: null, how },
    ]);
    expect(
      table
        .split('\n')
        .slice(2)
        .map((line) => line.split(' | ')[3].trim()),
    ).toEqual(['yes', 'NO', 'not judged', '—']);
  });
});
