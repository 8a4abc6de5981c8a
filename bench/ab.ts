/**
 * `npm run bench:ab -- --against <git ref> [--worker dispatcher|generator|both] [--rounds N] [--warmup N] [--sets N] [--untraced] [--batch N] [--traced on|tenth|plainTenth]`
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
 *
 * `--batch N` runs batches of N messages instead of the case's 100 (production's queues take at
 * most 10; the cost ledger advises 1 for two of them): what tracing costs once per invocation (its
 * root span, the flush, the export's request) is then shared by fewer messages, and the figures are
 * printed per invocation as well. Rounds and warm-up default to more batches, as many messages as
 * at 100 up to 1,200 rounds and {@link MAX_WARMUP_BATCHES} warm-up batches.
 *
 * `--traced tenth` or `--traced plainTenth` runs both traced builds as the tracing-js lane of that name
 * (sampling 0.1, one message in ten from a sampled run; `plainTenth` also without the error rule)
 * instead of every message sampled: for a change to what an unsampled message costs.
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
import {
  BundleThread,
  paired,
  perMessage,
  PROCESS_SETS,
  runInSets,
  TIMED_ROUNDS,
  VARIANT_VARS,
  WARMUP_ROUNDS,
  type Lane,
  type Paired,
  type Variant,
} from './tracing-js';
import { BATCH_SIZE, CASES, type Case } from './tracing-overhead';

/**
 * The default warm-up's bound for small batches, in batches: past the traced dispatcher's first wave
 * of optimizing compilations, which ends at about 14,000 messages (bench/tracing-js.ts, WARMUP_ROUNDS).
 * A `--batch 1` run of the dispatcher then took 603 s (2026-12-06); 2,000, the bound before, ended
 * inside the wave.
 */
const MAX_WARMUP_BATCHES = 15_000;

const USAGE =
  'usage: npm run bench:ab -- --against <git ref> [--worker dispatcher|generator|both] [--rounds N] [--warmup N] [--sets N] [--untraced] [--batch N] [--traced on|tenth|plainTenth]';

interface Options {
  against: string;
  workers: Array<Case['worker']>;
  rounds?: number;
  warmup?: number;
  sets?: number;
  /** Also run `<ref>` with tracing off. */
  untraced?: boolean;
  /** Messages a batch (default the case's {@link BATCH_SIZE}). */
  batchSize?: number;
  /** Which tracing-js lane the traced builds run as (default `on`, every message sampled). */
  traced: TracedLane;
}

type TracedLane = Extract<Variant, 'on' | 'tenth' | 'plainTenth'>;
const TRACED_LANES: readonly TracedLane[] = ['on', 'tenth', 'plainTenth'];

function parseOptions(argv: string[]): Options {
  const options: Partial<Options> & { workers: Array<Case['worker']>; traced: TracedLane } = { workers: ['dispatcher', 'generator'], traced: 'on' };
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
    else if (arg === '--batch') {
      options.batchSize = count();
      if (options.batchSize > BATCH_SIZE) throw new Error(`--batch takes at most ${BATCH_SIZE} messages\n${USAGE}`);
    } else if (arg === '--traced') {
      const lane = TRACED_LANES.find((l) => l === value);
      if (lane === undefined) throw new Error(`--traced takes ${TRACED_LANES.join(', ')}, not ${value}\n${USAGE}`);
      options.traced = lane;
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (!options.against) throw new Error(USAGE);
  return { ...options, against: options.against };
}

interface AbResult {
  worker: string;
  rounds: number;
  batchSize: number;
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
  options: { sets: number; rounds: number; warmup: number; untraced: boolean; batchSize: number; traced: TracedLane },
): Promise<AbResult> {
  const before = await bundles.before.worker(c.worker);
  const after = await bundles.after.worker(c.worker);
  const lanes: Lane[] = [
    { label: 'off', bodies: 'off', start: (seed) => BundleThread.start(after, { OTEL_SDK_DISABLED: 'true' }, true, seed) },
    { label: 'before', bodies: options.traced, start: (seed) => BundleThread.start(before, VARIANT_VARS[options.traced], true, seed) },
    { label: 'after', bodies: options.traced, start: (seed) => BundleThread.start(after, VARIANT_VARS[options.traced], true, seed) },
  ];
  if (options.untraced)
    lanes.push({ label: 'before off', bodies: 'off', start: (seed) => BundleThread.start(before, { OTEL_SDK_DISABLED: 'true' }, true, seed) });
  const [o, b, a, bo] = (await runInSets(c, lanes, options)).lanes.map((t) => t.cpuMs);
  return {
    worker: c.worker,
    rounds: options.rounds,
    batchSize: options.batchSize,
    medianCpuMs: { off: median(o.flat()), before: median(b.flat()), after: median(a.flat()), ...(bo ? { beforeOff: median(bo.flat()) } : {}) },
    before: paired(b, o),
    after: paired(a, o),
    change: paired(a, b),
    ...(bo ? { untraced: { change: paired(o, bo), before: paired(b, bo) } } : {}),
  };
}

/** A batch's ms as µs a message, and as µs an invocation for batches smaller than the case's. */
const perBatch = (ms: number, batchSize: number) =>
  batchSize === BATCH_SIZE ? perMessage(ms) : `${perMessage(ms, batchSize)} = ${(ms * 1000).toFixed(0)} µs/invocation`;
const show = (p: Paired, batchSize: number) =>
  `${perBatch(p.addedMs, batchSize)} (95 % CI ${perBatch(p.addedMsInterval[0], batchSize)} to ${perBatch(p.addedMsInterval[1], batchSize)}; process sets ${perBatch(Math.min(...p.bySetMs), batchSize)} to ${perBatch(Math.max(...p.bySetMs), batchSize)}; median ${perBatch(p.medianMs, batchSize)})`;

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
    const batchSize = options.batchSize ?? BATCH_SIZE;
    // As many messages as the case's batches, within bounds (a one-message batch runs in about a ms).
    const scaled = (batches: number, limit: number) => Math.min(limit, Math.max(batches, Math.round((batches * BATCH_SIZE) / batchSize)));
    for (const c of CASES.filter((c) => options.workers.includes(c.worker))) {
      results.push(
        await compare(c, bundles, {
          sets: options.sets ?? PROCESS_SETS,
          rounds: options.rounds ?? scaled(TIMED_ROUNDS[c.worker], 1_200),
          warmup: options.warmup ?? scaled(WARMUP_ROUNDS[c.worker], MAX_WARMUP_BATCHES),
          untraced: options.untraced === true,
          batchSize,
          traced: options.traced,
        }),
      );
    }
    for (const r of results) {
      const b = r.batchSize;
      const lane = options.traced === 'on' ? 'traced' : `traced as the ${options.traced} lane`;
      console.log(`${r.worker}, ${r.rounds} rounds of ${b}-message batches, ${lane} against tracing off:`);
      console.log(`  ${options.against}: ${show(r.before, b)}`);
      console.log(`  this tree: ${show(r.after, b)}`);
      console.log(`  change: ${show(r.change, b)}`);
      if (r.untraced) {
        console.log(`  untraced, this tree against ${options.against}: ${show(r.untraced.change, b)}`);
        console.log(`  ${options.against} traced against its own tracing off: ${show(r.untraced.before, b)}`);
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
