/**
 * Whether a figure met its target: `null` where it has no target; `'not judged'` where its
 * interval reaches across the target, so this run cannot tell (see {@link judge}).
 */
export type Met = boolean | null | 'not judged';

/** One line of the printed table. */
export interface Row {
  figure: string;
  measured: string;
  target: string;
  met: Met;
  how: string;
  /** For a measured (noisy) figure: the interval and target its verdict comes from, kept in results.json. */
  basis?: Basis;
}

/**
 * What a verdict on a measured figure rests on: the interval the value lies in (a 95 % confidence
 * interval, or [0, bound] for an upper bound) and the target, `at most` or `at least` `limit`.
 */
export interface Basis {
  interval: readonly [number, number];
  limit: number;
  sense: 'at most' | 'at least';
}

/**
 * A verdict only where the interval is narrower than its gap to the target, i.e. lies wholly on
 * one side of it: met when all of it meets the target, missed when none of it does, else not
 * judged. An exact count is the interval [v, v]; an upper bound is [0, bound], which can show a
 * target met but never missed.
 */
export function judge(basis: Basis): Exclude<Met, null> {
  const [lo, hi] = basis.interval;
  if (!(lo <= hi)) return 'not judged';
  const meets = (v: number) => (basis.sense === 'at most' ? v <= basis.limit : v >= basis.limit);
  if (meets(lo) && meets(hi)) return true;
  if (!meets(lo) && !meets(hi)) return false;
  return 'not judged';
}

/** A row whose verdict comes from `basis` (see {@link judge}). */
export function judgedRow(row: Omit<Row, 'met' | 'basis'>, basis: Basis): Row {
  return { ...row, met: judge(basis), basis };
}

/** What each figure module returns: its table lines and every raw number behind them. */
export interface FigureResult {
  rows: Row[];
  raw: unknown;
  /** Keys for the top level of bench/results.json (the cost figure's `cost`). */
  top?: Record<string, unknown>;
}

const HEADERS = ['figure', 'measured', 'target', 'met?', 'how measured'] as const;

function metText(met: Met): string {
  return met === null ? '—' : met === 'not judged' ? 'not judged' : met ? 'yes' : 'NO';
}

/** A plain-text table (no colours, so it can be pasted into an issue or a commit message). */
export function formatTable(rows: Row[]): string {
  const cells = rows.map((r) => [r.figure, r.measured, r.target, metText(r.met), r.how]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(HEADERS), rule, ...cells.map(line)].join('\n');
}

export const fmtMs = (ms: number, digits = 1) => `${ms.toFixed(digits)} ms`;
export const fmtBytes = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
