import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addRun, sourceState, type Baseline, type BaselineRun } from '../../../bench/lib/baseline';

const run = (date: string): BaselineRun => ({ date, machine: {}, loadAverage: { start: [0], end: [0] }, seconds: 1, rows: [], raw: { date } });
const empty: Baseline = { about: '', figures: {} };

describe('addRun', () => {
  it('counts the runs of a figure taken at one source state, with their first and last date', () => {
    let b = addRun(empty, 'tracing-js', 'abc', run('2026-12-05T10:00:00Z'));
    b = addRun(b, 'tracing-js', 'abc', run('2026-12-05T11:00:00Z'));
    b = addRun(b, 'tracing-js', 'abc', run('2026-12-06T09:00:00Z'));
    expect(b.figures['tracing-js']).toMatchObject({ source: 'abc', runCount: 3, dates: { first: '2026-12-05T10:00:00Z', last: '2026-12-06T09:00:00Z' } });
    expect(b.figures['tracing-js'].runs.map((r) => r.date)).toEqual(['2026-12-05T10:00:00Z', '2026-12-05T11:00:00Z', '2026-12-06T09:00:00Z']);
  });

  it('starts a figure afresh when its run was taken at another source state, and leaves other figures alone', () => {
    let b = addRun(empty, 'cost', 'old', run('2026-12-01T00:00:00Z'));
    b = addRun(b, 'render', 'old', run('2026-12-01T00:00:00Z'));
    b = addRun(b, 'cost', 'old', run('2026-12-02T00:00:00Z'));
    b = addRun(b, 'cost', 'new', run('2026-12-03T00:00:00Z'));
    expect(b.figures.cost).toMatchObject({ source: 'new', runCount: 1, dates: { first: '2026-12-03T00:00:00Z', last: '2026-12-03T00:00:00Z' } });
    expect(b.figures.render.runCount).toBe(1);
  });
});

describe('sourceState', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('keeps its id across a README-only commit (a README under src/ too) and changes it for an edit to src/, committed or not', () => {
    dir = mkdtempSync(join(tmpdir(), 'wl-baseline-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' });
    git('init', '-q');
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'bench'));
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(dir, 'bench', 'b.ts'), 'export const b = 1;\n');
    writeFileSync(join(dir, 'README.md'), 'one\n');
    git('add', '.');
    git('commit', '-qm', 'first');
    const first = sourceState(dir);
    expect(first).toMatch(/^[0-9a-f]{16}$/);

    writeFileSync(join(dir, 'README.md'), 'two\n');
    git('commit', '-qam', 'readme');
    expect(sourceState(dir)).toBe(first);
    // The bench's own outputs, written by a run, committed or not, leave the id alone.
    writeFileSync(join(dir, 'bench', 'baseline.json'), '{}\n');
    writeFileSync(join(dir, 'bench', 'results.json'), '{}\n');
    writeFileSync(join(dir, 'bench', 'README.md'), 'figures\n');
    expect(sourceState(dir)).toBe(first);
    git('add', '.');
    git('commit', '-qm', 'outputs');
    expect(sourceState(dir)).toBe(first);
    // A library's README under src/ is prose too, committed or not.
    writeFileSync(join(dir, 'src', 'README.md'), 'how to use it\n');
    expect(sourceState(dir)).toBe(first);
    git('add', '.');
    git('commit', '-qm', 'library readme');
    expect(sourceState(dir)).toBe(first);

    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 2;\n');
    const edited = sourceState(dir);
    expect(edited).toMatch(/\+uncommitted$/);
    git('commit', '-qam', 'src');
    expect(sourceState(dir)).not.toBe(first);
    expect(sourceState(dir)).toMatch(/^[0-9a-f]{16}$/);
  });
});
