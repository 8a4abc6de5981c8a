import type { Forecast, HourlyPoint } from '../domain/forecast';
import { columnsForInterval, HOUR_MS, IMAGE_WIDTH, NOW_ZONE_PX, timeForX, WINDOW_MS } from './time-axis';

/** One forecast hour that shows in the picture, with the columns it owns. */
export interface HourSlot {
  point: HourlyPoint;
  startMs: number;
  endMs: number;
  /** Columns [x0, x1) of this hour in the picture; never empty. */
  x0: number;
  x1: number;
}

/**
 * The forecast hours overlapping [now, now + 24 h), each owning the columns whose left edge falls
 * in its hour. Hourly points are assumed in time order (as the Forecast schema documents).
 */
export function hourSlots(forecast: Forecast, nowMs: number): HourSlot[] {
  const slots: HourSlot[] = [];
  const endWindow = nowMs + WINDOW_MS;
  const points = forecast.hourly;
  for (let i = 0; i < points.length; i++) {
    const startMs = Date.parse(points[i].time);
    const next = i + 1 < points.length ? Date.parse(points[i + 1].time) : NaN;
    // An hourly point speaks for one hour, or until the next point if they come closer together.
    const endMs = Number.isFinite(next) && next > startMs ? Math.min(next, startMs + HOUR_MS) : startMs + HOUR_MS;
    if (!Number.isFinite(startMs) || endMs <= nowMs || startMs >= endWindow) continue;
    const [x0, x1] = columnsForInterval(nowMs, startMs, endMs);
    if (x1 > x0) slots.push({ point: points[i], startMs, endMs, x0, x1 });
  }
  return slots;
}

/**
 * Temperature (°C) for every column: the current temperature across the "now" zone, then the
 * hourly temperatures interpolated at each column's centre with a monotone cubic (Fritsch–Carlson),
 * which gives a smooth ground without overshooting the forecast's own minimum and maximum.
 */
export function temperatureColumns(forecast: Forecast, nowMs: number): Float64Array {
  const columns = new Float64Array(IMAGE_WIDTH);
  columns.fill(forecast.current.temperatureC, 0, NOW_ZONE_PX);

  const times: number[] = [];
  const temps: number[] = [];
  for (const point of forecast.hourly) {
    const t = Date.parse(point.time);
    if (!Number.isFinite(t) || (times.length > 0 && t <= times[times.length - 1])) continue;
    times.push(t);
    temps.push(point.temperatureC);
  }
  const interpolate = monotoneCubic(times, temps);
  for (let x = NOW_ZONE_PX; x < IMAGE_WIDTH; x++) columns[x] = interpolate(timeForX(nowMs, x + 0.5));
  return columns;
}

/** Monotone cubic Hermite interpolation; clamps outside the data's time range. */
export function monotoneCubic(xs: readonly number[], ys: readonly number[]): (x: number) => number {
  const n = xs.length;
  if (n === 0) return () => 0;
  if (n === 1) return () => ys[0];
  const slopes = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) slopes[i] = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]);
  const tangents = new Float64Array(n);
  tangents[0] = slopes[0];
  tangents[n - 1] = slopes[n - 2];
  for (let i = 1; i < n - 1; i++) {
    // Zero tangent at local extremes keeps the curve from overshooting them.
    tangents[i] = slopes[i - 1] * slopes[i] <= 0 ? 0 : (slopes[i - 1] + slopes[i]) / 2;
  }
  for (let i = 0; i < n - 1; i++) {
    if (slopes[i] === 0) {
      tangents[i] = 0;
      tangents[i + 1] = 0;
      continue;
    }
    const a = tangents[i] / slopes[i];
    const b = tangents[i + 1] / slopes[i];
    const s = a * a + b * b;
    if (s > 9) {
      const tau = 3 / Math.sqrt(s);
      tangents[i] = tau * a * slopes[i];
      tangents[i + 1] = tau * b * slopes[i];
    }
  }
  let last = 0;
  return (x: number) => {
    if (x <= xs[0]) return ys[0];
    if (x >= xs[n - 1]) return ys[n - 1];
    // Calls come in ascending x, so resume the search where the last one ended.
    if (x < xs[last]) last = 0;
    while (last < n - 2 && x >= xs[last + 1]) last++;
    const h = xs[last + 1] - xs[last];
    const t = (x - xs[last]) / h;
    const t2 = t * t;
    const t3 = t2 * t;
    return (2 * t3 - 3 * t2 + 1) * ys[last] + (t3 - 2 * t2 + t) * h * tangents[last] + (-2 * t3 + 3 * t2) * ys[last + 1] + (t3 - t2) * h * tangents[last + 1];
  };
}

/** Temperature as printed: whole degrees in the forecast's unit. */
export function displayTemperature(celsius: number, unit: 'F' | 'C'): number {
  const value = Math.round(unit === 'F' ? (celsius * 9) / 5 + 32 : celsius);
  return value === 0 ? 0 : value; // no "-0"
}
