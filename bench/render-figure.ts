import { benchRender } from './render';
import { fmtMs, judgedRow, type FigureResult, type Row } from './table';

/** Figure 3: the renderer's own benchmark (bench/render.ts, by the renderer's owner), in Node. */
const TARGET_MS = 2;

export async function benchRenderFigure(): Promise<FigureResult> {
  const results = await benchRender();
  const rows: Row[] = results.map((r) =>
    judgedRow(
      {
        figure: `render: ${r.format}`,
        measured: `median ${fmtMs(r.medianMs, 3)} (95 % interval ${fmtMs(r.medianIntervalMs[0], 3)}–${fmtMs(r.medianIntervalMs[1], 3)}), p95 ${fmtMs(r.p95Ms, 3)}, ${r.bytes} B`,
        target: `median ≤ ${TARGET_MS} ms`,
        how: 'Node: performance.now() around renderLandscape() (forecast → encoded bytes)',
      },
      { interval: r.medianIntervalMs, limit: TARGET_MS, sense: 'at most' },
    ),
  );
  return { rows, raw: results };
}
