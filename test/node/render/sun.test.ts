import { describe, expect, it } from 'vitest';
import { sunEvents } from '../../../src/render/sun';

const DAY = 86_400_000;
const MIN = 60_000;
const iso = (list: number[]) => list.map((ms) => new Date(ms).toISOString());

function window(startIso: string) {
  const start = Date.parse(startIso);
  return [start, start + DAY] as const;
}

describe('sunEvents', () => {
  it('finds a sunset that falls on the next UTC day (Austin in June)', () => {
    // 21 June 2026, 13:00 CDT. Sunset 20:36 CDT = 01:36 UTC on 22 June (NOAA).
    const [start, end] = window('2026-06-21T18:00:00Z');
    const { sunrises, sunsets } = sunEvents(30.2672, -97.7431, start, end);
    expect(sunsets).toHaveLength(1);
    expect(Math.abs(sunsets[0] - Date.parse('2026-06-22T01:36:00Z'))).toBeLessThan(4 * MIN);
    expect(sunrises).toHaveLength(1);
    expect(Math.abs(sunrises[0] - Date.parse('2026-06-22T11:30:00Z'))).toBeLessThan(4 * MIN);
  });

  it('keeps events strictly inside the window', () => {
    for (let h = 0; h < 48; h += 5) {
      const [start, end] = window(new Date(Date.parse('2026-06-21T00:00:00Z') + h * 3_600_000).toISOString());
      const { sunrises, sunsets } = sunEvents(30.2672, -97.7431, start, end);
      for (const ms of [...sunrises, ...sunsets]) {
        expect(ms).toBeGreaterThanOrEqual(start);
        expect(ms).toBeLessThan(end);
      }
      // 24 h at mid-latitudes hold exactly one of each (give or take a minute's drift at the edges).
      expect(sunrises.length).toBeGreaterThanOrEqual(1);
      expect(sunsets.length).toBeGreaterThanOrEqual(1);
      expect(sunrises.length + sunsets.length).toBeLessThanOrEqual(3);
    }
  });

  it('polar day: no sunrise or sunset, and no crash (Utqiagvik, late June)', () => {
    const [start, end] = window('2026-06-25T00:00:00Z');
    expect(sunEvents(71.2906, -156.7887, start, end)).toEqual({ sunrises: [], sunsets: [] });
  });

  it('polar night: no sunrise (Utqiagvik, December)', () => {
    const [start, end] = window('2026-12-15T00:00:00Z');
    expect(sunEvents(71.2906, -156.7887, start, end)).toEqual({ sunrises: [], sunsets: [] });
  });

  it('short subarctic day (Fairbanks, mid-December): sunrise ~10:56, sunset ~14:40 AKST', () => {
    const [start, end] = window('2026-12-15T09:00:00Z'); // 00:00 AKST
    const { sunrises, sunsets } = sunEvents(64.8378, -147.7164, start, end);
    expect(iso(sunrises)).toHaveLength(1);
    expect(Math.abs(sunrises[0] - Date.parse('2026-12-15T19:56:00Z'))).toBeLessThan(10 * MIN);
    expect(Math.abs(sunsets[0] - Date.parse('2026-12-15T23:40:00Z'))).toBeLessThan(10 * MIN);
  });

  it('Apia (lon −171.8, UTC+13): events on the right instants across the date line', () => {
    // Local 5 July 2026 00:00 (UTC+13) = 4 July 11:00Z. Sunrise ~06:5x local, sunset ~18:1x local.
    const [start, end] = window('2026-07-04T11:00:00Z');
    const { sunrises, sunsets } = sunEvents(-13.8333, -171.7667, start, end);
    expect(sunrises).toHaveLength(1);
    expect(sunsets).toHaveLength(1);
    const localHour = (ms: number) => ((ms - start) / 3_600_000) % 24;
    expect(localHour(sunrises[0])).toBeGreaterThan(6.5);
    expect(localHour(sunrises[0])).toBeLessThan(7.2);
    expect(localHour(sunsets[0])).toBeGreaterThan(17.9);
    expect(localHour(sunsets[0])).toBeLessThan(18.5);
    expect(sunsets[0] - sunrises[0]).toBeGreaterThan(11 * 3_600_000);
  });

  it('Auckland (lon +174.8, UTC+12): winter solstice sunrise 07:33, sunset 17:11 NZST', () => {
    const [start, end] = window('2026-06-20T12:00:00Z'); // 21 June 00:00 NZST
    const { sunrises, sunsets } = sunEvents(-36.8485, 174.7633, start, end);
    expect(iso(sunrises)).toHaveLength(1);
    expect(Math.abs(sunrises[0] - Date.parse('2026-06-20T19:33:00Z'))).toBeLessThan(4 * MIN);
    expect(Math.abs(sunsets[0] - Date.parse('2026-06-21T05:11:00Z'))).toBeLessThan(4 * MIN);
  });

  it('Kiritimati (lon −157.4, UTC+14): one sunrise and one sunset a day, never duplicated', () => {
    for (let d = 0; d < 365; d += 7) {
      const start = Date.parse('2026-01-01T00:00:00Z') + d * DAY;
      const { sunrises, sunsets } = sunEvents(1.8721, -157.4278, start, start + DAY);
      expect(sunrises).toHaveLength(1);
      expect(sunsets).toHaveLength(1);
    }
  });
});
