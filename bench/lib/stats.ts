/** Small statistics helpers; percentiles use the nearest-rank method (no interpolation). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Rounds for JSON output: raw samples keep 3 decimals (µs), which is below timer noise anyway. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A distribution-free confidence interval for the median (order statistics, binomial): the k-th
 * smallest and k-th largest value, with k the largest rank such that P(Bin(n, ½) < k) ≤ (1 − level) / 2.
 * Too few values for the level give [min, max].
 */
export function medianInterval(values: readonly number[], level = 0.95): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  const tail = (1 - level) / 2;
  // P(X = i) for X ~ Bin(n, ½), summed from i = 0 while the tail allows.
  let p = 0.5 ** n;
  let cumulative = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (cumulative + p > tail) break;
    cumulative += p;
    k = i + 1;
    p = (p * (n - i)) / (i + 1);
  }
  const lower = Math.max(0, k - 1);
  return [sorted[lower], sorted[n - 1 - lower]];
}
