/** One line of the printed table. `met` is null where a figure has no target. */
export interface Row {
  figure: string;
  measured: string;
  target: string;
  met: boolean | null;
  how: string;
}

/** What each figure module returns: its table lines and every raw number behind them. */
export interface FigureResult {
  rows: Row[];
  raw: unknown;
  /** Keys for the top level of bench/results.json (the cost figure's `cost`). */
  top?: Record<string, unknown>;
}

const HEADERS = ['figure', 'measured', 'target', 'met?', 'how measured'] as const;

function metText(met: boolean | null): string {
  return met === null ? '—' : met ? 'yes' : 'NO';
}

/** A plain-text table (no colours, so it can be pasted into an issue or a commit message). */
export function formatTable(rows: Row[]): string {
  const cells = rows.map((r) => [r.figure, r.measured, r.target, metText(r.met), r.how]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i])).join(' | ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(HEADERS), rule, ...cells.map(line)].join('\n');
}

export const fmtMs = (ms: number, digits = 1) => `${ms.toFixed(digits)} ms`;
export const fmtBytes = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
