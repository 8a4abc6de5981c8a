import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Row } from '../table';
import { ROOT } from './paths';

/** One bench run of one figure, as `npm run bench -- --baseline` keeps it. */
export interface BaselineRun {
  date: string;
  machine: Record<string, unknown>;
  /** Load average at the start and end of the whole bench run: a busy machine explains odd figures. */
  loadAverage: { start: number[]; end: number[] };
  seconds: number;
  rows: Row[];
  raw: unknown;
  /** The figure's keys at the top of results.json (the cost ledger's `cost`), if any. */
  top?: Record<string, unknown>;
}

/** A figure's entry: every run of it taken at one source state, oldest first. */
export interface BaselineFigure {
  /** See {@link sourceState}. */
  source: string;
  /** How many runs the figure rests on (= runs.length), and the first and last date. */
  runCount: number;
  dates: { first: string; last: string };
  runs: BaselineRun[];
}

/** bench/baseline.json: the raw results the README quotes, per figure. */
export interface Baseline {
  about: string;
  figures: Record<string, BaselineFigure>;
}

const ABOUT =
  'The raw results the README quotes, written by `npm run bench -- --baseline [--only …]`. Per figure: the runs taken at one ' +
  'source state (src/, bench/, configs and lockfile, their Markdown excepted), oldest first; a run at another state replaces them. ' +
  'Each run is what bench/results.json held for that figure.';

/** The paths whose content decides what a figure measures. */
const SOURCE_PATHS = [
  'src',
  'bench',
  'scripts',
  'package-lock.json',
  'wrangler.web.toml',
  'wrangler.fetcher.toml',
  'wrangler.dispatcher.toml',
  'wrangler.generator.toml',
];

/** The bench's own outputs: writing them must not start a figure afresh. */
const BENCH_OUTPUTS = ['bench/baseline.json', 'bench/results.json'];
/** Prose under the source paths (src/otel/README.md, bench/README.md): not what a figure measures. */
const PROSE_SUFFIX = '.md';

/**
 * An id of the code a figure measured: a hash of the committed trees of {@link SOURCE_PATHS} and of
 * any uncommitted change to them, leaving out {@link BENCH_OUTPUTS} and prose (so a README-only
 * commit keeps the id, an edit to src/ does not).
 */
export function sourceState(root = ROOT): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const paths = SOURCE_PATHS.filter((p) => existsSync(`${root}/${p}`));
  const pathspec = [...paths, ...BENCH_OUTPUTS.map((p) => `:(exclude)${p}`), `:(exclude,glob)**/*${PROSE_SUFFIX}`];
  const trees = git('ls-tree', '-r', 'HEAD', '--', ...paths)
    .split('\n')
    .filter((line) => !BENCH_OUTPUTS.some((output) => line.endsWith(`\t${output}`)) && !line.endsWith(PROSE_SUFFIX))
    .join('\n');
  const diff = git('diff', 'HEAD', '--', ...pathspec);
  const untracked = git('ls-files', '--others', '--exclude-standard', '--', ...pathspec);
  const hash = createHash('sha256').update(trees).update(diff).update(untracked).digest('hex').slice(0, 16);
  return diff || untracked ? `${hash}+uncommitted` : hash;
}

/** The baseline with `run` added to `figure`: appended when taken at the same source state, else starting the figure afresh. */
export function addRun(baseline: Baseline, figure: string, source: string, run: BaselineRun): Baseline {
  const previous = baseline.figures[figure];
  const runs = previous && previous.source === source ? [...previous.runs, run] : [run];
  return {
    about: ABOUT,
    figures: { ...baseline.figures, [figure]: { source, runCount: runs.length, dates: { first: runs[0].date, last: runs[runs.length - 1].date }, runs } },
  };
}

export function readBaseline(path: string): Baseline {
  if (!existsSync(path)) return { about: ABOUT, figures: {} };
  return JSON.parse(readFileSync(path, 'utf8')) as Baseline;
}

export function writeBaseline(path: string, baseline: Baseline): void {
  writeFileSync(path, `${JSON.stringify(baseline, null, 2)}\n`);
}
