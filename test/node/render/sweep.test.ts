import { describe, expect, it } from 'vitest';
import type { Conditions, Forecast, HourlyPoint, Location } from '../../../src/domain/forecast';
import { encodeScene, renderScene } from '../../../src/render/index';
import { readBmp } from './bmp-reader';
import { LOCATIONS } from '../../fixtures/forecasts';

/*
 * Every hour of 2026 for three very different places must render without an exception: Austin
 * (events crossing UTC midnight, DST), Fairbanks (subarctic: near-polar days and nights) and
 * Honolulu (no DST, far west). Scenes are drawn for every hour; every 24th is also encoded,
 * cycling through the formats.
 */

const HOUR = 3_600_000;
const YEAR_START = Date.parse('2026-01-01T00:00:00Z');
const HOURS_IN_YEAR = 365 * 24;
const FORMATS = ['rgb_light', 'rgb_dark', 'bw', 'bwi', 'eink'] as const;

/** Synthetic weather: a seasonal and a daily temperature wave, with clouds, rain, snow and wind that wander. */
function weatherAt(i: number, meanC: number, seasonC: number, dayC: number, offsetH: number, south = false): Conditions {
  const season = Math.cos((2 * Math.PI * (i / 24 - 200)) / 365) * (south ? -1 : 1);
  const localHour = (((i + offsetH) % 24) + 24) % 24;
  const temperatureC = meanC + seasonC * season + dayC * Math.cos((2 * Math.PI * (localHour - 15)) / 24) + 3 * Math.sin(i / 37);
  const wet = Math.max(0, Math.sin(i / 11) * Math.sin(i / 53));
  return {
    temperatureC,
    pressureHpa: 1012 + 14 * Math.sin(i / 61),
    cloudCoverPct: Math.min(100, Math.max(0, 50 + 55 * Math.sin(i / 29))),
    rainMmH: temperatureC > 1 ? 6 * wet * wet : 0,
    snowMmH: temperatureC <= 1 ? 2 * wet : 0,
    windSpeedMs: Math.max(0, 5 + 6 * Math.sin(i / 17)),
    windDirectionDeg: (((i * 7.3) % 360) + 360) % 360,
  };
}

function yearOfForecasts(location: Location, weather: (i: number) => Conditions): (i: number) => Forecast {
  const hourly: HourlyPoint[] = [];
  for (let i = 0; i < HOURS_IN_YEAR + 26; i++) hourly.push({ time: new Date(YEAR_START + i * HOUR).toISOString(), ...weather(i) });
  return (i) => ({
    schemaVersion: 1,
    location,
    // A quarter past the hour, as fetches usually are.
    now: new Date(YEAR_START + i * HOUR + 15 * 60_000).toISOString(),
    current: weather(i),
    hourly: hourly.slice(i, i + 26),
    unit: 'F',
    source: { provider: 'sweep', fetchedAt: new Date(YEAR_START + i * HOUR).toISOString() },
  });
}

const PLACES = {
  austin: yearOfForecasts(LOCATIONS.austin, (i) => weatherAt(i, 21, 8, 6, -6)),
  fairbanks: yearOfForecasts(LOCATIONS.fairbanks, (i) => weatherAt(i, -3, 20, 4, -9)),
  honolulu: yearOfForecasts(LOCATIONS.honolulu, (i) => weatherAt(i, 25, 2, 3, -10)),
};

describe('a whole year, hour by hour', () => {
  for (const [place, forecastAt] of Object.entries(PLACES)) {
    it(`${place}: every hour of 2026 renders`, { timeout: 60_000 }, () => {
      let suns = 0;
      let moons = 0;
      for (let i = 0; i < HOURS_IN_YEAR; i++) {
        const scene = renderScene(forecastAt(i));
        suns += scene.sunX.length;
        moons += scene.moonX.length;
        for (const x of [...scene.sunX, ...scene.moonX]) {
          expect(x).toBeGreaterThanOrEqual(32);
          expect(x).toBeLessThan(296);
        }
        if (i % 24 === 0) {
          const format = FORMATS[(i / 24) % FORMATS.length];
          const image = encodeScene(scene, format);
          expect(image.bytes.length).toBeGreaterThan(500);
          if (format === 'eink') expect(readBmp(image.bytes).height).toBe(296);
        }
      }
      // Each hour's 24 h window sees about one sunrise and one sunset, except in polar-ish spells.
      const expected = place === 'fairbanks' ? [0.8, 1.05] : [0.98, 1.02];
      expect(suns / HOURS_IN_YEAR).toBeGreaterThan(expected[0]);
      expect(suns / HOURS_IN_YEAR).toBeLessThan(expected[1]);
      expect(moons / HOURS_IN_YEAR).toBeGreaterThan(expected[0]);
    });
  }
});
