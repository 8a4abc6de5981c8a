import type { CloudSize, TreeSize, TreeSpecies } from './sprites';

/*
 * How each weather quantity is encoded in the picture: the thresholds live here, in one place,
 * so the guide page and the tests can quote them.
 */

/** Below this wind speed (m/s) no trees are drawn. */
export const CALM_WIND_MS = 0.5;
/** Upper bounds (m/s, exclusive) of tree sizes 1, 2 and 3; anything faster is size 4. */
export const TREE_SIZE_LIMITS_MS = [3, 6, 10] as const;

/** Tree height class for a wind speed; 0 = calm, no tree. */
export function treeSizeForWind(speedMs: number): TreeSize | 0 {
  if (!(speedMs >= CALM_WIND_MS)) return 0;
  const [a, b, c] = TREE_SIZE_LIMITS_MS;
  if (speedMs < a) return 1;
  if (speedMs < b) return 2;
  if (speedMs < c) return 3;
  return 4;
}

/** Species for the wind coming FROM north, east, south and west (meteorological direction). */
export const SPECIES_BY_QUARTER: readonly TreeSpecies[] = ['fir', 'oak', 'palm', 'poplar'];
/** Within this many degrees of a quarter boundary (45°, 135°, ...) trees of both quarters mix. */
export const MIXED_BAND_DEG = 15;

/**
 * The species for a wind direction: one species per compass quarter (N, E, S, W, each ±45°);
 * near the boundary between two quarters (NE, SE, SW, NW ± 15°) both species, to be alternated.
 */
export function speciesForDirection(directionDeg: number): readonly [TreeSpecies, TreeSpecies] {
  const d = ((directionDeg % 360) + 360) % 360;
  const quarter = Math.round(d / 90) % 4;
  const offBoundary = Math.abs((d % 90) - 45);
  if (offBoundary <= MIXED_BAND_DEG) {
    const lower = Math.floor(d / 90) % 4;
    return [SPECIES_BY_QUARTER[lower], SPECIES_BY_QUARTER[(lower + 1) % 4]];
  }
  const species = SPECIES_BY_QUARTER[quarter];
  return [species, species];
}

/** Cloud cover (%) below which the sky is clear. */
export const CLEAR_SKY_PCT = 2;
/** Cloud cover (%) from which clouds form a heavy bank. */
export const OVERCAST_PCT = 90;
/** Lower bounds (%) of cloud sizes 2, 3 and 4; size 1 from CLEAR_SKY_PCT, size 5 from OVERCAST_PCT. */
export const CLOUD_SIZE_STEPS_PCT = [20, 40, 65] as const;

/** Cloud size for a cover percentage; 0 = clear. */
export function cloudSizeForCover(coverPct: number): CloudSize | 0 {
  if (!(coverPct >= CLEAR_SKY_PCT)) return 0;
  if (coverPct >= OVERCAST_PCT) return 5;
  const [a, b, c] = CLOUD_SIZE_STEPS_PCT;
  if (coverPct < a) return 1;
  if (coverPct < b) return 2;
  if (coverPct < c) return 3;
  return 4;
}

/** Pressure (hPa) at or below which the smoke lies flat, and at or above which it rises straight. */
export const LOW_PRESSURE_HPA = 1000;
export const HIGH_PRESSURE_HPA = 1020;

/** Smoke angle above the horizontal, in degrees: 0 = flat (low pressure), 90 = rising (high). */
export function smokeAngleForPressure(pressureHpa: number): number {
  if (!Number.isFinite(pressureHpa)) return 45;
  const k = (pressureHpa - LOW_PRESSURE_HPA) / (HIGH_PRESSURE_HPA - LOW_PRESSURE_HPA);
  return 90 * Math.min(1, Math.max(0, k));
}

/** Precipitation (mm/h) below which nothing is drawn (trace amounts). */
export const TRACE_PRECIPITATION_MM = 0.05;
/** Rain dashes per hour column block: grows with the square root so drizzle still shows. */
export function rainDashCount(mmPerHour: number): number {
  if (!(mmPerHour >= TRACE_PRECIPITATION_MM)) return 0;
  return Math.min(28, Math.max(2, Math.round(Math.sqrt(mmPerHour) * 9)));
}
/** Snow dots per hour (snow mm/h is water equivalent: 1 mm/h is already heavy snow). */
export function snowDotCount(mmPerHour: number): number {
  if (!(mmPerHour >= TRACE_PRECIPITATION_MM)) return 0;
  return Math.min(40, Math.max(3, Math.round(Math.sqrt(mmPerHour) * 18)));
}
