/**
 * `npm run bench:ab -- --against <git ref> [--worker dispatcher|generator|both] [--rounds N] [--warmup N] [--sets N] [--untraced]`
 *
 * Whether a change to the tracing code made it cheaper: the tracing-js method (bench/tracing-js.ts:
 * single-threaded Node processes, exact thread CPU of each batch's cycle, in-memory bindings, sets of
 * fresh processes) with three processes a set taking turns batch by batch in ONE run: this working
 * tree with tracing off (the reference), `<ref>` traced, and this working tree traced. Between runs
 * minutes apart the figure moves by more than a cut is worth (bench/README.md), so two builds are
 * only compared in the same run. `<ref>` is checked out into a temporary git worktree (this
 * repository's node_modules linked in) and built with its own wrangler configs. Prints µs a message
 * for each traced build against tracing off, and the difference between them, each the mean of the
 * sets' 10 % trimmed means with its 95 % interval. With `--untraced`, a fourth process runs `<ref>`
 * with tracing off: for a change that touches the untraced path too (the consumer's, say), it prints
 * how the untraced batch changed and `<ref>`'s tracing against its own untraced batch.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bundler } from './lib/bundles';
import { stopAll, stopAllOnSignals, track } from './lib/cleanup';
import { ROOT } from './lib/paths';
import { median } from './lib/stats';
import { fmtMs } from './table';
import { BundleThread, paired, perMessage, PROCESS_SETS, runInSets, TIMED_ROUNDS, WARMUP_ROUNDS, type Lane, type Paired } from './tracing-js';
import { CASES, type Case } from './tracing-overhead';

const USAGE = 'usage: npm run bench:ab -- --against <git ref> [--worker dispatcher|generator|both] [--rounds N] [--warmup N] [--sets N] [--untraced]';

interface Options {
  against: string;
  workers: Array<Case['worker']>;
  rounds?: number;
  warmup?: number;
  sets?: number;
  /** Also run `<ref>` with tracing off. */
  untraced?: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Partial<Options> & { workers: Array<Case['worker']> } = { workers: ['dispatcher', 'generator'] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--untraced') {
      options.untraced = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
    const count = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${arg} needs a whole number\n${USAGE}`);
      return n;
    };
    if (arg === '--against') options.against = value;
    else if (arg === '--worker') {
      if (value === 'both') options.workers = ['dispatcher', 'generator'];
      else if (value === 'dispatcher' || value === 'generator') options.workers = [value];
      else throw new Error(`unknown worker ${value}\n${USAGE}`);
    } else if (arg === '--rounds') options.rounds = count();
    else if (arg === '--warmup') options.warmup = count();
    else if (arg === '--sets') options.sets = count();
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (!options.against) throw new Error(USAGE);
  return { ...options, against: options.against };
}

interface AbResult {
  worker: string;
  rounds: number;
  /** Median CPU ms a batch of each process: one far off its usual value says that process ran in a slow state. */
  medianCpuMs: { off: number; before: number; after: number; beforeOff?: number };
  before: Paired;
  after: Paired;
  change: Paired;
  /** With --untraced: this tree's untraced batch against `<ref>`'s, and `<ref>` traced against its own untraced batch. */
  untraced?: { change: Paired; before: Paired };
}

async function compare(
  c: Case,
  bundles: { before: Bundler; after: Bundler },
  options: { sets: number; rounds: number; warmup: number; untraced: boolean },
): Promise<AbResult> {
  const before = await bundles.before.worker(c.worker);
  const after = await bundles.after.worker(c.worker);
  const lanes: Lane[] = [
    { label: 'off', bodies: 'off', start: (seed) => BundleThread.start(after, { OTEL_SDK_DISABLED: 'true' }, true, seed) },
    { label: 'before', bodies: 'on', start: (seed) => BundleThread.start(before, {}, true, seed) },
    { label: 'after', bodies: 'on', start: (seed) => BundleThread.start(after, {}, true, seed) },
  ];
  if (options.untraced)
    lanes.push({ label: 'before off', bodies: 'off', start: (seed) => BundleThread.start(before, { OTEL_SDK_DISABLED: 'true' }, true, seed) });
  const [o, b, a, bo] = (await runInSets(c, lanes, options)).lanes.map((t) => t.cpuMs);
  return {
    worker: c.worker,
    rounds: options.rounds,
    medianCpuMs: { off: median(o.flat()), before: median(b.flat()), after: median(a.flat()), ...(bo ? { beforeOff: median(bo.flat()) } : {}) },
    before: paired(b, o),
    after: paired(a, o),
    change: paired(a, b),
    ...(bo ? { untraced: { change: paired(o, bo), before: paired(b, bo) } } : {}),
  };
}

const show = (p: Paired) =>
  `${perMessage(p.addedMs)} (95 % CI ${perMessage(p.addedMsInterval[0])} to ${perMessage(p.addedMsInterval[1])}; process sets ${perMessage(Math.min(...p.bySetMs))} to ${perMessage(Math.max(...p.bySetMs))}; median ${perMessage(p.medianMs)})`;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  stopAllOnSignals();
  const tmp = mkdtempSync(join(tmpdir(), 'bench-ab-'));
  const checkout = join(tmp, 'against');
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
      .toString()
      .trim();
  try {
    const commit = git('rev-parse', '--verify', `${options.against}^{commit}`);
    git('worktree', 'add', '--detach', checkout, commit);
    track('git worktree', () => Promise.resolve(void git('worktree', 'remove', '--force', checkout)));
    // Its dependencies are this checkout's: a ref with another lockfile is compared with today's packages.
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'), 'dir');
    const bundles = { before: new Bundler(tmp, checkout), after: new Bundler(tmp) };
    console.error(`[ab] ${options.against} (${commit.slice(0, 7)}) against this working tree`);
    const results: AbResult[] = [];
    for (const c of CASES.filter((c) => options.workers.includes(c.worker))) {
      results.push(
        await compare(c, bundles, {
          sets: options.sets ?? PROCESS_SETS,
          rounds: options.rounds ?? TIMED_ROUNDS[c.worker],
          warmup: options.warmup ?? WARMUP_ROUNDS[c.worker],
          untraced: options.untraced === true,
        }),
      );
    }
    for (const r of results) {
      console.log(`${r.worker}, ${r.rounds} rounds, traced against tracing off:`);
      console.log(`  ${options.against}: ${show(r.before)}`);
      console.log(`  this tree: ${show(r.after)}`);
      console.log(`  change: ${show(r.change)}`);
      if (r.untraced) {
        console.log(`  untraced, this tree against ${options.against}: ${show(r.untraced.change)}`);
        console.log(`  ${options.against} traced against its own tracing off: ${show(r.untraced.before)}`);
      }
      const cpu = r.medianCpuMs;
      const refOff = cpu.beforeOff === undefined ? '' : `, ${options.against} off ${fmtMs(cpu.beforeOff)}`;
      console.log(`  median CPU a batch: off ${fmtMs(cpu.off)}, ${options.against} ${fmtMs(cpu.before)}, this tree ${fmtMs(cpu.after)}${refOff}`);
    }
  } finally {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
