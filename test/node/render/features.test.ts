import { describe, expect, it } from 'vitest';
import type { Canvas } from '../../../src/render/canvas';
import { BACKGROUND, INK, PRECIPITATION } from '../../../src/render/palette';
import { renderScene, SUN_TOP } from '../../../src/render/scene';
import { columnsForInterval, IMAGE_WIDTH, NOW_ZONE_PX, PX_PER_HOUR, xForTime } from '../../../src/render/time-axis';
import { buildForecast, LOCATIONS } from '../../fixtures/forecasts';
import { plainForecast, TEST_NOW, withAllHours, withHour } from './helpers';

const nowMs = Date.parse(TEST_NOW);
const hourStart = (i: number) => Date.parse('2026-03-20T00:00:00Z') + i * 3_600_000;

/** Topmost ink pixel of column x below the sky bodies: where the ground line is drawn. */
function groundFromPixels(canvas: Canvas, x: number): number {
  for (let y = SUN_TOP + 14; y < canvas.height; y++) if (canvas.get(x, y) === INK) return y;
  return -1;
}

function diff(a: Canvas, b: Canvas): Array<{ x: number; y: number }> {
  const changed: Array<{ x: number; y: number }> = [];
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) if (a.get(x, y) !== b.get(x, y)) changed.push({ x, y });
  }
  return changed;
}

describe('time axis', () => {
  it('fits 24 hours after the 32 px now zone exactly', () => {
    expect(NOW_ZONE_PX + 24 * PX_PER_HOUR).toBe(IMAGE_WIDTH);
    expect(xForTime(nowMs, nowMs)).toBe(32);
    expect(xForTime(nowMs, nowMs + 24 * 3_600_000)).toBe(296);
  });

  it('gives consecutive hours adjacent, non-overlapping columns', () => {
    let previousEnd = NOW_ZONE_PX;
    for (let i = 0; i <= 24; i++) {
      const [x0, x1] = columnsForInterval(nowMs, hourStart(i), hourStart(i + 1));
      expect(x0).toBe(previousEnd);
      previousEnd = x1;
    }
    expect(previousEnd).toBe(IMAGE_WIDTH);
  });
});

describe('ground line = temperature', () => {
  it('a warmer hour puts the ground line higher at that hour’s x', () => {
    const base = plainForecast();
    const warmer = withHour(base, 9, { temperatureC: base.hourly[9].temperatureC + 5 });
    const x = Math.floor(xForTime(nowMs, hourStart(9)));
    const a = renderScene(base);
    const b = renderScene(warmer);
    expect(a.canvas.get(x, a.groundY[x])).toBe(INK);
    expect(b.canvas.get(x, b.groundY[x])).toBe(INK);
    const yBase = groundFromPixels(a.canvas, x);
    const yWarm = groundFromPixels(b.canvas, x);
    expect(yBase).toBe(a.groundY[x]);
    expect(yWarm).toBeLessThan(yBase - 3);
  });

  it('the warmest and coldest hours span the ground’s full height, warm on top', () => {
    const scene = renderScene(plainForecast());
    let top = Infinity;
    let bottom = -Infinity;
    for (let x = NOW_ZONE_PX; x < IMAGE_WIDTH; x++) {
      top = Math.min(top, scene.groundY[x]);
      bottom = Math.max(bottom, scene.groundY[x]);
    }
    expect(bottom - top).toBeGreaterThan(40);
  });

  it('prints min and max under the line where they occur, and the current temperature under the house', () => {
    const forecast = plainForecast();
    forecast.current.temperatureC = 12.4;
    const scene = renderScene(forecast);
    const now = scene.labels.find((l) => l.kind === 'now');
    const max = scene.labels.find((l) => l.kind === 'max');
    const min = scene.labels.find((l) => l.kind === 'min');
    expect(now?.text).toBe('12°');
    expect(now!.x).toBeLessThan(NOW_ZONE_PX);
    expect(max?.text).toBe('15°');
    expect(min?.text).toBe('9°');
    for (const label of [max!, min!]) {
      expect(label.y).toBeGreaterThan(scene.groundY[label.atX]);
      expect(Math.abs(label.x - label.atX)).toBeLessThan(10);
    }
  });

  it('prints Fahrenheit when the forecast asks for it', () => {
    const forecast = { ...plainForecast(), unit: 'F' as const };
    forecast.current = { ...forecast.current, temperatureC: -40 };
    expect(renderScene(forecast).labels[0].text).toBe('-40°');
    forecast.current = { ...forecast.current, temperatureC: 22 };
    expect(renderScene(forecast).labels[0].text).toBe('72°');
  });
});

describe('precipitation', () => {
  for (const kind of ['rainMmH', 'snowMmH'] as const) {
    it(`${kind} in hour h puts ink in the sky above the ground in that hour’s columns only`, () => {
      const base = plainForecast();
      const wet = withHour(base, 14, { [kind]: 3 });
      const [x0, x1] = columnsForInterval(nowMs, hourStart(14), hourStart(15));
      expect(x1 - x0).toBe(PX_PER_HOUR);
      const a = renderScene(base);
      const b = renderScene(wet);
      const changed = diff(a.canvas, b.canvas);
      expect(changed.length).toBeGreaterThan(5);
      for (const { x, y } of changed) {
        expect(x).toBeGreaterThanOrEqual(x0);
        expect(x).toBeLessThan(x1);
        expect(y).toBeLessThan(b.groundY[x]);
        expect(b.canvas.get(x, y)).toBe(PRECIPITATION);
      }
    });
  }

  it('more rain draws more drops', () => {
    const count = (mm: number) => {
      const scene = renderScene(withHour(plainForecast(), 14, { rainMmH: mm }));
      return scene.canvas.data.filter((p) => p === PRECIPITATION).length;
    };
    expect(count(0.3)).toBeLessThan(count(2));
    expect(count(2)).toBeLessThan(count(8));
  });
});

describe('clouds', () => {
  it('none under 2 % cover; more cover draws more cloud', () => {
    const inkInSky = (cover: number) => {
      const scene = renderScene(withAllHours(plainForecast(), { cloudCoverPct: cover }));
      let n = 0;
      for (let y = 0; y < SUN_TOP; y++) for (let x = NOW_ZONE_PX; x < IMAGE_WIDTH; x++) if (scene.canvas.get(x, y) === INK) n++;
      return n;
    };
    expect(inkInSky(1.9)).toBe(0);
    expect(inkInSky(2)).toBeGreaterThan(0);
    expect(inkInSky(30)).toBeGreaterThan(inkInSky(5));
    expect(inkInSky(95)).toBeGreaterThan(inkInSky(50));
  });
});

describe('sun and moon', () => {
  it('sunrise at a known time puts the sun at the expected x (±2 px)', () => {
    // Austin, 21 June 2026: sunrise 06:30 CDT = 11:30 UTC (NOAA), sunset 20:36 CDT = 01:36 UTC.
    const forecast = buildForecast({
      location: LOCATIONS.austin,
      now: '2026-06-21T05:00:00Z',
      unit: 'F',
      weather: () => ({
        temperatureC: 25,
        pressureHpa: 1013,
        cloudCoverPct: 0,
        rainMmH: 0,
        snowMmH: 0,
        windSpeedMs: 0,
        windDirectionDeg: 0,
      }),
    });
    const scene = renderScene(forecast);
    const expectedX = 32 + 6.5 * PX_PER_HOUR;
    // Centre of the ink in the sun's band, away from the house's smoke and the moon.
    let sum = 0;
    let n = 0;
    for (let y = SUN_TOP; y < SUN_TOP + 13; y++) {
      for (let x = 40; x < 200; x++) {
        if (scene.canvas.get(x, y) !== BACKGROUND) {
          sum += x;
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(10);
    expect(Math.abs(sum / n - expectedX)).toBeLessThanOrEqual(2);
    expect(scene.moonX).toHaveLength(1);
    expect(Math.abs(scene.moonX[0] - (32 + 20.6 * PX_PER_HOUR))).toBeLessThanOrEqual(2);
  });
});

describe('trees = wind', () => {
  const windy = (speed: number, direction: number) => withAllHours(plainForecast(), { windSpeedMs: speed, windDirectionDeg: direction });

  it('no trees when the wind is below 0.5 m/s', () => {
    const calm = renderScene(windy(0, 0));
    const breath = renderScene(windy(0.49, 0));
    expect(breath.trees).toHaveLength(0);
    expect(diff(calm.canvas, breath.canvas)).toHaveLength(0);
    const breeze = renderScene(windy(0.5, 0));
    expect(breeze.trees.length).toBeGreaterThan(5);
    expect(diff(calm.canvas, breeze.canvas).length).toBeGreaterThan(20);
  });

  it('taller trees in stronger wind', () => {
    const inkAbove = (speed: number) => {
      const scene = renderScene(windy(speed, 90));
      let n = 0;
      for (let x = 0; x < IMAGE_WIDTH; x++) for (let y = 0; y < scene.groundY[x]; y++) if (scene.canvas.get(x, y) !== BACKGROUND) n++;
      return n;
    };
    expect(inkAbove(1)).toBeLessThan(inkAbove(4));
    expect(inkAbove(4)).toBeLessThan(inkAbove(8));
    expect(inkAbove(8)).toBeLessThan(inkAbove(15));
  });

  it('a north wind and a south wind grow different species', () => {
    const north = renderScene(windy(5, 0));
    const south = renderScene(windy(5, 180));
    expect(north.trees.map((t) => t.x)).toEqual(south.trees.map((t) => t.x));
    expect(north.trees.length).toBeGreaterThan(5);
    // Compare the pixels of each tree's box, tree by tree.
    for (let i = 0; i < north.trees.length; i++) {
      const { x, baseY } = north.trees[i];
      let different = 0;
      for (let dy = 0; dy < 20; dy++) {
        for (let dx = -7; dx <= 7; dx++) {
          if (north.canvas.get(x + dx, baseY - dy) !== south.canvas.get(x + dx, baseY - dy)) different++;
        }
      }
      expect(different).toBeGreaterThan(5);
    }
    expect(new Set(north.trees.map((t) => t.species))).toEqual(new Set(['fir']));
    expect(new Set(south.trees.map((t) => t.species))).toEqual(new Set(['palm']));
  });

  it('each quarter has its own species; in-between directions mix two', () => {
    const species = (direction: number) => [...new Set(renderScene(windy(5, direction)).trees.map((t) => t.species))].sort();
    expect(species(90)).toEqual(['oak']);
    expect(species(270)).toEqual(['poplar']);
    expect(species(45)).toEqual(['fir', 'oak']);
    expect(species(315)).toEqual(['fir', 'poplar']);
  });
});

describe('smoke = pressure', () => {
  const smokeBox = (pressure: number) => {
    const forecast = plainForecast();
    forecast.current = { ...forecast.current, pressureHpa: pressure };
    const scene = renderScene(forecast);
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let y = 0; y < 128; y++) {
      for (let x = 0; x < 60; x++) {
        if (scene.canvas.get(x, y) === 3) {
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
    }
    return { width: maxX - minX + 1, height: maxY - minY + 1 };
  };

  it('rises for high pressure and lies flat for low', () => {
    const high = smokeBox(1030);
    const low = smokeBox(990);
    expect(high.height).toBeGreaterThan(high.width);
    expect(low.width).toBeGreaterThan(low.height);
  });
});

describe('flowers at local noon and midnight', () => {
  it('stand at the x of local noon and midnight in the location’s zone', () => {
    // UTC zone: midnight 00:00Z (of the next day) and noon 12:00Z.
    const scene = renderScene(plainForecast());
    expect(scene.noonX).toEqual([Math.floor(xForTime(nowMs, hourStart(12)))]);
    expect(scene.midnightX).toEqual([Math.floor(xForTime(nowMs, hourStart(24)))]);
  });

  it('follow the zone, and fall back to the fixed offset for an unknown zone', () => {
    const chicago = plainForecast();
    chicago.location = { ...chicago.location, timezone: 'America/Chicago', utcOffsetSeconds: -18000 };
    // 20 March 2026 is after the US DST change: CDT, UTC-5. Noon = 17:00Z.
    expect(renderScene(chicago).noonX).toEqual([Math.floor(xForTime(nowMs, hourStart(17)))]);
    const unknown = structuredClone(chicago);
    unknown.location.timezone = 'Nowhere/Atlantis';
    unknown.location.utcOffsetSeconds = -7 * 3600;
    expect(renderScene(unknown).noonX).toEqual([Math.floor(xForTime(nowMs, hourStart(19)))]);
  });
});

describe('determinism', () => {
  it('the same forecast gives the same pixels; another seed moves the decoration', () => {
    const wet = plainForecast(() => ({ rainMmH: 2, cloudCoverPct: 50, windSpeedMs: 4 }));
    const a = renderScene(wet);
    const b = renderScene(structuredClone(wet));
    expect(diff(a.canvas, b.canvas)).toHaveLength(0);
    const c = renderScene(wet, { seed: 'another' });
    expect(diff(a.canvas, c.canvas).length).toBeGreaterThan(0);
  });
});
