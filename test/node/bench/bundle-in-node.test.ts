import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Bundle } from '../../../bench/lib/bundles';
import { bodiesOf, BundleThread, extraNodeFlags, runInSets, targetRow, type Lane } from '../../../bench/tracing-js';
import { CASES, type Case } from '../../../bench/tracing-overhead';

const dir = mkdtempSync(join(tmpdir(), 'bundle-in-node-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A worker module in the test's folder whose code can read the bench's thread clock as `threadCpuMs`. */
function workerFile(name: string, code: string): string {
  const mainPath = join(dir, `${name}.js`);
  const clock = pathToFileURL(join(import.meta.dirname, '../../../bench/lib/thread-cpu.mjs')).href;
  writeFileSync(mainPath, `import { threadCpuMs } from ${JSON.stringify(clock)};\n${code}`);
  return mainPath;
}

/** Thread CPU a deferred task burns: far more than receiving a one-message job costs. */
const DEFERRED_MS = 40;

/**
 * A worker whose queue handler returns at once and leaves CPU work to an event-loop task, as V8
 * leaves part of a collection to one: the work runs after the batch has ended.
 */
function deferringWorker(): string {
  return workerFile(
    'deferring',
    `export default {
  async queue(batch) {
    for (const message of batch.messages) message.ack();
    setImmediate(() => {
      const start = threadCpuMs();
      while (threadCpuMs() - start < ${DEFERRED_MS}) {}
    });
  },
};
`,
  );
}

const bundleOf = (name: string, mainPath: string): Bundle => ({
  name,
  dir,
  mainPath,
  files: [],
  config: { name, main: mainPath, compatibility_date: '2026-01-01' },
});

describe('bench/lib/bundle-in-node.mjs: the CPU a batch is charged', () => {
  it('counts the work a batch left to the event loop in the next cycle, which the handler alone misses', async () => {
    const mainPath = deferringWorker();
    const thread = await BundleThread.start(bundleOf('deferring', mainPath), {}, false);
    try {
      await thread.batch('q', [{}], 'first');
      const second = await thread.batch('q', [{}], 'second');
      // The first batch's deferred task ran between the two: the second cycle holds it, its handler does not.
      expect(second.cpuMs).toBeGreaterThanOrEqual(DEFERRED_MS);
      expect(second.handlerCpuMs).toBeLessThan(DEFERRED_MS);
    } finally {
      await thread.stop();
    }
  });
});

describe('BENCH_NODE_FLAGS: extra flags for the timed processes (bench/tracing-js.ts)', () => {
  afterEach(() => vi.unstubAllEnvs());

  /** Acks its message only in a process started with `flag`: a batch in any other throws (not fully acked). */
  const flagCheckingWorker = (flag: string) =>
    workerFile(
      'flag-checking',
      `export default { async queue(batch) { for (const m of batch.messages) process.execArgv.includes(${JSON.stringify(flag)}) ? m.ack() : m.retry(); } };\n`,
    );

  it('reaches the process, and only when set', async () => {
    const bundle = bundleOf('flag-checking', flagCheckingWorker('--stack-trace-limit=11'));
    vi.stubEnv('BENCH_NODE_FLAGS', '');
    const plain = await BundleThread.start(bundle, {}, false);
    try {
      await expect(plain.batch('q', [{}], 'plain')).rejects.toThrow(/not fully acked/);
    } finally {
      await plain.stop();
    }
    vi.stubEnv('BENCH_NODE_FLAGS', ' --stack-trace-limit=11  ');
    const flagged = await BundleThread.start(bundle, {}, false);
    try {
      await flagged.batch('q', [{}], 'flagged');
    } finally {
      await flagged.stop();
    }
  });

  it('makes a run an experiment: its target row is not judged, and names the flags', () => {
    const row = { figure: 'tracing JS cost: dispatcher', measured: '30 µs/msg', target: '≤ 40 µs/msg', how: 'Node' };
    const basis = { interval: [25, 35] as [number, number], limit: 40, sense: 'at most' as const };
    expect(targetRow(row, basis, []).met).toBe(true);
    const experiment = targetRow(row, basis, ['--initial-old-space-size=2000']);
    expect(experiment.met).toBeNull();
    expect(experiment.target).toContain('not judged with BENCH_NODE_FLAGS=--initial-old-space-size=2000');
  });

  it('takes only flags', () => {
    vi.stubEnv('BENCH_NODE_FLAGS', '--initial-old-space-size=2000 --no-opt');
    expect(extraNodeFlags()).toEqual(['--initial-old-space-size=2000', '--no-opt']);
    for (const value of ['initial-old-space-size=2000', '--a;rm', '-e x']) {
      vi.stubEnv('BENCH_NODE_FLAGS', value);
      expect(() => extraNodeFlags()).toThrow(/BENCH_NODE_FLAGS takes flags/);
    }
  });
});

/** CPU a tiring worker burns per batch it has handled so far: its n-th batch takes n times this. */
const STEP_MS = 10;

/** A worker that gets slower with every batch its process handles: what a process's state does, made visible. */
function tiringWorker(): string {
  return workerFile(
    'tiring',
    `let handled = 0;
export default {
  async queue(batch) {
    handled++;
    const start = threadCpuMs();
    while (threadCpuMs() - start < ${STEP_MS} * handled) {}
    for (const message of batch.messages) message.ack();
  },
};
`,
  );
}

describe('bench/tracing-js.ts runInSets: rounds shared by sets of fresh processes', () => {
  it('starts every lane anew in each set, warms it up, and splits the timed rounds between the sets', async () => {
    const bundle = bundleOf('tiring', tiringWorker());
    const starts: string[] = [];
    const lane = (label: string): Lane => ({
      label,
      bodies: 'off',
      start: (seed) => (starts.push(`${label} ${seed}`), BundleThread.start(bundle, {}, false, seed)),
    });
    const c = { worker: 'dispatcher', queue: 'q', bodies: () => [{}] } as unknown as Case;
    const { randomSeeds, lanes } = await runInSets(c, [lane('a'), lane('b')], { sets: 3, rounds: 5, warmup: 1 });
    const [a, b] = lanes;
    await expect(runInSets(c, [lane('a')], { sets: 3, rounds: 2, warmup: 1 })).rejects.toThrow('2 timed rounds cannot be shared by 3 process sets');
    // Each set's processes share its random seed; the sets' seeds differ.
    expect(randomSeeds).toHaveLength(3);
    expect(new Set(randomSeeds).size).toBe(3);
    expect(starts).toEqual(randomSeeds.flatMap((seed) => [`a ${seed}`, `b ${seed}`]));
    expect(a.cpuMs.map((set) => set.length)).toEqual([2, 2, 1]);
    expect(b.handlerCpuMs.map((set) => set.length)).toEqual([2, 2, 1]);
    // The warm-up batch is kept apart, per set: each process's first batch, one step.
    expect(a.warmupCpuMs.map((set) => set.length)).toEqual([1, 1, 1]);
    for (const set of b.warmupCpuMs) {
      expect(set[0]).toBeGreaterThanOrEqual(STEP_MS);
      expect(set[0]).toBeLessThan(2.5 * STEP_MS);
    }
    // Each set's first timed batch is its processes' second (one warm-up batch): 2 steps. A process
    // kept from the set before would be at its 4th batch or later. The thread clock can lag under
    // load (one read 16.4 ms for a 10 ms burn), hence a step and a half of slack.
    for (const times of [a, b]) {
      for (const set of times.handlerCpuMs) {
        expect(set[0]).toBeGreaterThanOrEqual(2 * STEP_MS);
        expect(set[0]).toBeLessThan(3.5 * STEP_MS);
      }
    }
  });
});

describe('bench/tracing-js.ts bodiesOf: the messages of a round', () => {
  it('gives a smaller batch a slice that moves with the round, so every message takes its turn, the same for every lane', () => {
    const c = CASES.find((x) => x.worker === 'generator')!;
    const job = (body: object) => {
      const { zip_code, format_name } = body as { zip_code: string; format_name: string };
      return `${zip_code}/${format_name}`;
    };
    const all = bodiesOf(c, 'off').map(job);
    expect(all).toHaveLength(100);
    const rounds = Array.from({ length: 10 }, (_, round) => bodiesOf(c, 'on', 10, round));
    expect(rounds.every((bodies) => bodies.length === 10)).toBe(true);
    expect(rounds.flat().map(job)).toEqual(all);
    // Traced or not, a round's lanes get the same jobs; only the carrier differs.
    expect(bodiesOf(c, 'off', 10, 3).map(job)).toEqual(rounds[3].map(job));
    expect(rounds[3].every((body) => '_otel' in body)).toBe(true);
    // The slice wraps around: round 10 starts again at the first message.
    expect(bodiesOf(c, 'off', 10, 10).map(job)).toEqual(all.slice(0, 10));
    expect(bodiesOf(c, 'off', 1, 57).map(job)).toEqual([all[57]]);
    // A size that does not divide the batch wraps around within a slice.
    expect(bodiesOf(c, 'off', 30, 3).map(job)).toEqual([...all.slice(90), ...all.slice(0, 20)]);
  });
});

describe('BundleThread: the V8 random seed a process is given', () => {
  it("is the one its Math.random draws from, after the batch's shift took the first draw", async () => {
    const seed = 4242;
    // What a plain Node process with that seed draws second (lib/bundle-in-node.mjs's shift draws first).
    const expected = execFileSync(process.execPath, [`--random-seed=${seed}`, '-p', 'Math.random(), Math.random()'], { encoding: 'utf8' }).trim();
    // The worker acks its message only when its own draw is the expected one; BundleThread.batch throws on a retry.
    const mainPath = workerFile(
      'seeded',
      `export default {
  async queue(batch, env) {
    const drawn = String(Math.random());
    for (const message of batch.messages) drawn === env.EXPECTED_DRAW ? message.ack() : message.retry();
  },
};
`,
    );
    const thread = await BundleThread.start(bundleOf('seeded', mainPath), { EXPECTED_DRAW: expected }, false, seed);
    try {
      await expect(thread.batch('q', [{}], 'seeded')).resolves.toMatchObject({ cpuMs: expect.any(Number) as number });
    } finally {
      await thread.stop();
    }
  });
});
