/**
 * The horizontal axis is time. Columns 0..31 are the "now" zone where the house stands; from
 * column 32 on, every hour takes PX_PER_HOUR columns. 11 px/hour (the original used 12) is chosen
 * so that exactly 24 hours fit: 32 + 24 × 11 = 296 = the picture width.
 */
export const IMAGE_WIDTH = 296;
export const IMAGE_HEIGHT = 128;
export const NOW_ZONE_PX = 32;
export const PX_PER_HOUR = 11;
export const HOURS_SHOWN = 24;
export const HOUR_MS = 3_600_000;
export const WINDOW_MS = HOURS_SHOWN * HOUR_MS;

/** x (fractional) where the instant `timeMs` falls, for a picture whose "now" is `nowMs`. */
export function xForTime(nowMs: number, timeMs: number): number {
  return NOW_ZONE_PX + ((timeMs - nowMs) / HOUR_MS) * PX_PER_HOUR;
}

/** The instant at the left edge of column x (x ≥ NOW_ZONE_PX). */
export function timeForX(nowMs: number, x: number): number {
  return nowMs + ((x - NOW_ZONE_PX) / PX_PER_HOUR) * HOUR_MS;
}

/**
 * The columns [x0, x1) whose left edge falls in the time interval [startMs, endMs), clipped to
 * the timeline part of the picture. Consecutive hours get disjoint, gap-free column ranges.
 */
export function columnsForInterval(nowMs: number, startMs: number, endMs: number): [number, number] {
  const x0 = Math.max(NOW_ZONE_PX, Math.ceil(xForTime(nowMs, startMs) - 1e-9));
  const x1 = Math.min(IMAGE_WIDTH, Math.ceil(xForTime(nowMs, endMs) - 1e-9));
  return [x0, Math.max(x0, x1)];
}
