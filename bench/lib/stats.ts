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

/** The mean of the values left after dropping the lowest and the highest `trim` share of them (10 % each by default). */
export function trimmedMean(values: readonly number[], trim = 0.1): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const k = Math.floor(sorted.length * trim);
  return sum(sorted.slice(k, sorted.length - k)) / (sorted.length - 2 * k);
}

/** The mean over groups of each group's `statistic`: every group weighs the same, however many values it has. */
export function meanOfGroups(groups: readonly (readonly number[])[], statistic: (sample: readonly number[]) => number): number {
  if (groups.length === 0) return Number.NaN;
  return sum(groups.map((group) => statistic(group))) / groups.length;
}

/**
 * The 95 % confidence interval of {@link meanOfGroups}, for values that come in groups which differ
 * by more than their values' noise (the rounds of one set of processes): Student's t on the groups'
 * statistics, their mean ± t(n − 1) · s / √n. Each group's statistic holds its own values' noise, and
 * their spread holds how much the groups differ, so the interval says what a rerun of as many groups
 * would read. Until 2026-12-06 this was a two-stage percentile bootstrap (groups, then values within
 * them), which for six groups is about 0.7 times as wide (√(5/6) · 1.96 / 2.57): in `bench:ab` a
 * change that left the traced generator alone read −30.8 µs a message with an interval of −58.0 to −9.0.
 */
export function groupedInterval(groups: readonly (readonly number[])[], statistic: (sample: readonly number[]) => number): [number, number] {
  if (groups.length < 2 || groups.some((g) => g.length === 0)) return [Number.NaN, Number.NaN];
  const stats = groups.map((group) => statistic(group));
  const n = stats.length;
  const mean = sum(stats) / n;
  const variance = sum(stats.map((v) => (v - mean) ** 2)) / (n - 1);
  const half = studentT975(n - 1) * Math.sqrt(variance / n);
  return [mean - half, mean + half];
}

/**
 * Student's t at 97.5 % for `df` degrees of freedom (two-sided 95 %), from the standard table; the
 * normal 1.96 past 30. A table, not a statistics package: this one column is all the bench needs.
 */
function studentT975(df: number): number {
  const TABLE = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074,
    2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
  ];
  return df <= TABLE.length ? TABLE[df - 1] : 1.96;
}
