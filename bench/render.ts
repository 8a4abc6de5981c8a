/**
 * Renderer benchmark: time per image for every format, in Node.
 *
 *   npx tsx bench/render.ts            prints a table
 *
 * Each format is warmed up, then rendered ITERATIONS times from the forecast through to encoded
 * bytes (the work the generator worker does per message). Target: ≤ 2 ms per image on 2 cores.
 */
import { pathToFileURL } from 'node:url';
import { FORMAT_NAMES } from '../src/domain/formats';
import { renderLandscape } from '../src/render/index';
import { FIXTURES } from '../test/fixtures/forecasts';
import { medianInterval } from './lib/stats';

const WARMUP = 100;
const ITERATIONS = 300;
/** Varied weather, so the figures are not flattered by one easy picture. */
const BENCH_FIXTURES = ['seattle-cold-rain', 'chicago-wind-shift', 'austin-summer-clear'];

export interface BenchRow {
  format: string;
  medianMs: number;
  /** 95 % confidence interval of the median (bench/lib/stats.ts medianInterval). */
  medianIntervalMs: [number, number];
  p95Ms: number;
  bytes: number;
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index];
}

export async function benchRender(): Promise<BenchRow[]> {
  const forecasts = BENCH_FIXTURES.map((name) => FIXTURES[name]);
  const rows: BenchRow[] = [];
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
    times.sort((a, b) => a - b);
    rows.push({ format, medianMs: percentile(times, 0.5), medianIntervalMs: medianInterval(times), p95Ms: percentile(times, 0.95), bytes });
    // Let pending work (GC, timers) settle between formats.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchRender();
  console.log(`renderLandscape, ${ITERATIONS} iterations per format (${BENCH_FIXTURES[0]} bytes shown)`);
  console.table(
    rows.map((r) => ({ format: r.format, 'median ms': r.medianMs.toFixed(3), 'p95 ms': r.p95Ms.toFixed(3), bytes: r.bytes })),
  );
}
