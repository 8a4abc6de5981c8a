/**
 * Figure: time per image for every format, in Node (inside workerd the clock does not move during
 * CPU work). Each format is warmed up, then rendered ITERATIONS times from the forecast through to
 * encoded bytes (the work the generator worker does per message).
 */
import { FORMAT_NAMES } from '../src/domain/formats';
import { renderLandscape } from '../src/render/index';
import { FIXTURES } from '../test/fixtures/forecasts';
import { medianInterval, percentile } from './lib/stats';
import { fmtMs, judgedRow, type FigureResult, type Row } from './table';

const WARMUP = 100;
const ITERATIONS = 300;
const TARGET_MS = 2;
/** Varied weather, so the figures are not flattered by one easy picture. */
const BENCH_FIXTURES = ['seattle-cold-rain', 'chicago-wind-shift', 'austin-summer-clear'];

export async function benchRenderFigure(): Promise<FigureResult> {
  const forecasts = BENCH_FIXTURES.map((name) => FIXTURES[name]);
  const results: Array<{ format: string; medianMs: number; medianIntervalMs: [number, number]; p95Ms: number; bytes: number }> = [];
  for (const format of FORMAT_NAMES) {
    for (let i = 0; i < WARMUP; i++) renderLandscape(forecasts[i % forecasts.length], format);
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const forecast = forecasts[i % forecasts.length];
      const start = performance.now();
      const image = renderLandscape(forecast, format);
      times.push(performance.now() - start);
      if (i === 0) bytes = image.bytes.length;
    }
    results.push({ format, medianMs: percentile(times, 0.5), medianIntervalMs: medianInterval(times), p95Ms: percentile(times, 0.95), bytes });
    // Let pending work (GC, timers) settle between formats.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
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
