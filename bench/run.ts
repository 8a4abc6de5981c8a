/**
 * `npm run bench [-- --only bundle,render,overhead,tracing-js,export,cpu-per-invocation,cost,cron-tick] [--quick] [--baseline]`
 * Runs the selected figures one after another (never in parallel: they would time each other),
 * prints ONE table and writes bench/results.json; with --baseline, also adds each figure that ran
 * to bench/baseline.json (lib/baseline.ts). Benchmarks print figures; they assert nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchBundleSize } from './bundle-size';
import { benchCost } from './cost';
import { benchCpuPerInvocation, measureCpu, type CpuMeasurement } from './cost-cpu';
import { benchCronTick } from './cron-tick';
import { benchExportCost } from './export-cost';
import { parseArgs, type FigureId } from './lib/args';
import { addRun, readBaseline, sourceState, writeBaseline } from './lib/baseline';
import { Bundler } from './lib/bundles';
import { stopAll, stopAllOnSignals, stillRunning } from './lib/cleanup';
import { ROOT } from './lib/paths';
import { machineInfo } from './machine';
import { benchRenderFigure } from './render';
import { formatTable, type FigureResult, type Row } from './table';
import { benchTracingJs, extraNodeFlags } from './tracing-js';
import { benchTracingOverhead } from './tracing-overhead';

const RESULTS_PATH = join(ROOT, 'bench', 'results.json');
const BASELINE_PATH = join(ROOT, 'bench', 'baseline.json');

function log(message: string): void {
  // Progress goes to stderr so stdout is only the table.
  console.error(`[bench] ${message}`);
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (options.baseline && extraNodeFlags().length > 0) {
    console.error('--baseline records the figures themselves: run it without BENCH_NODE_FLAGS');
    return 2;
  }
  stopAllOnSignals();
  const machine = machineInfo();
  // Taken before the bundles are built: the code this run measures, even if src/ is edited meanwhile.
  const source = options.baseline ? sourceState() : undefined;
  const tmp = mkdtempSync(join(tmpdir(), 'wl-bench-'));
  const bundler = new Bundler(tmp);
  // Measured once per bench run: the cpu-per-invocation figure and the cost ledger both read it.
  let cpu: Promise<CpuMeasurement> | undefined;
  const cpuMeasurement = () => (cpu ??= measureCpu(bundler, options));
  const figures: Record<FigureId, () => Promise<FigureResult>> = {
    bundle: () => benchBundleSize(bundler),
    render: () => benchRenderFigure(),
    overhead: () => benchTracingOverhead(bundler, options),
    'tracing-js': () => benchTracingJs(bundler, options),
    export: () => benchExportCost(bundler, options),
    'cpu-per-invocation': () => benchCpuPerInvocation(cpuMeasurement),
    // Its own stack: it needs exactly one active ZIP for the scheduled run.
    cost: () => benchCost(bundler, tmp, options, cpuMeasurement),
    // Its own stack too: the web worker alone with a probe consuming fetch-jobs (up to 10,000 ZIPs).
    'cron-tick': () => benchCronTick(bundler, tmp, options),
  };

  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  /** Per figure, its own part: for bench/baseline.json. */
  const perFigure: Partial<Record<FigureId, FigureResult>> = {};
  /** Keys a figure puts at the top of results.json (the cost ledger: `cost`). */
  const top: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const seconds: Record<string, number> = {};
  const started = performance.now();
  try {
    for (const id of options.only) {
      log(`${id}…`);
      const t = performance.now();
      try {
        const result = await figures[id]();
        rows.push(...result.rows);
        raw[id] = result.raw;
        perFigure[id] = result;
        Object.assign(top, result.top);
      } catch (error) {
        // One broken figure must not hide the others.
        const message = (error as Error).stack ?? String(error);
        errors[id] = message;
        rows.push({ figure: id, measured: `ERROR: ${String((error as Error).message ?? error).split('\n')[0]}`, target: '', met: false, how: '' });
        log(`${id} failed:\n${message}`);
      }
      seconds[id] = Math.round((performance.now() - t) / 100) / 10;
      log(`${id} done in ${seconds[id]} s`);
    }
  } finally {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
  const left = stillRunning();
  if (left.length > 0) log(`still running after cleanup: ${left.join(', ')}`);

  const totalSeconds = Math.round((performance.now() - started) / 100) / 10;
  const results = {
    machine,
    options: { only: options.only, quick: options.quick, baseline: options.baseline },
    totalSeconds,
    // With the start's loadAverage (in machine): a busy machine explains odd figures.
    loadAverageAtEnd: loadavg(),
    secondsPerFigure: seconds,
    table: rows,
    ...top,
    raw,
    errors,
  };
  writeFileSync(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
  if (source !== undefined) {
    let baseline = readBaseline(BASELINE_PATH);
    // A figure that failed adds nothing: the baseline keeps its earlier runs.
    for (const [id, result] of Object.entries(perFigure)) {
      baseline = addRun(baseline, id, source, {
        date: machine.date,
        machine,
        loadAverage: { start: machine.loadAverage, end: results.loadAverageAtEnd },
        seconds: seconds[id],
        rows: result.rows,
        raw: result.raw,
        ...(result.top ? { top: result.top } : {}),
      });
      log(`baseline: ${id} now rests on ${baseline.figures[id].runCount} run(s) at source ${source}`);
    }
    writeBaseline(BASELINE_PATH, baseline);
  }

  console.log(formatTable(rows));
  console.log(
    `\n${machine.cpuModel} × ${machine.cpuCount}, Node ${machine.node}, ${machine.date}; ` +
      `${options.quick ? 'QUICK run, ' : ''}total ${totalSeconds} s; raw numbers in bench/results.json${options.baseline ? ' and bench/baseline.json' : ''}`,
  );
  return Object.keys(errors).length > 0 ? 1 : 0;
}

process.exitCode = await main();
