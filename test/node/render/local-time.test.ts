import { describe, expect, it } from 'vitest';
import { isKnownTimeZone, localNoonsAndMidnights, offsetClock } from '../../../src/render/local-time';

const DAY = 86_400_000;
const iso = (list: number[]) => list.map((ms) => new Date(ms).toISOString());

describe('local noon and midnight', () => {
  it('Chicago in summer (CDT, UTC−5)', () => {
    const start = Date.parse('2026-06-21T18:20:00Z');
    const marks = localNoonsAndMidnights('America/Chicago', -18000, start, start + DAY);
    expect(iso(marks.midnights)).toEqual(['2026-06-22T05:00:00.000Z']);
    expect(iso(marks.noons)).toEqual(['2026-06-22T17:00:00.000Z']);
  });

  it('across the spring DST change: midnight in CST, noon in CDT', () => {
    const start = Date.parse('2026-03-08T02:00:00Z');
    const marks = localNoonsAndMidnights('America/Chicago', -21600, start, start + DAY);
    expect(iso(marks.midnights)).toEqual(['2026-03-08T06:00:00.000Z']);
    expect(iso(marks.noons)).toEqual(['2026-03-08T17:00:00.000Z']);
  });

  it('Apia (UTC+13) and Kathmandu (UTC+5:45)', () => {
    const start = Date.parse('2026-07-04T20:00:00Z');
    const apia = localNoonsAndMidnights('Pacific/Apia', 46800, start, start + DAY);
    expect(iso(apia.noons)).toEqual(['2026-07-04T23:00:00.000Z']);
    expect(iso(apia.midnights)).toEqual(['2026-07-05T11:00:00.000Z']);
    const kathmandu = localNoonsAndMidnights('Asia/Kathmandu', 20700, start, start + DAY);
    expect(iso(kathmandu.noons)).toEqual(['2026-07-05T06:15:00.000Z']);
    // Local midnight of 5 July (18:15Z on the 4th) is before the window; the next one is inside.
    expect(iso(kathmandu.midnights)).toEqual(['2026-07-05T18:15:00.000Z']);
  });

  it('an unknown zone falls back to the fixed UTC offset instead of throwing', () => {
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(offsetClock('Mars/Olympus_Mons', 3600)(0)).toBe(3_600_000);
    const start = Date.parse('2026-06-21T00:00:00Z');
    const marks = localNoonsAndMidnights('Mars/Olympus_Mons', 3600, start, start + DAY);
    expect(iso(marks.noons)).toEqual(['2026-06-21T11:00:00.000Z']);
    expect(iso(marks.midnights)).toEqual(['2026-06-21T23:00:00.000Z']);
  });
});
