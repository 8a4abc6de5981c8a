import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stackOfBundle } from './bundle-stack';
import { makeSampleTrace } from './sample-trace';

const repoRoot = resolve(import.meta.dirname, '../../..');
const children: ChildProcessWithoutNullStreams[] = [];

/** Runs the CLI the way `npm run trace-view` does (tsx), on a free port. */
async function startTraceView(...args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/trace-view.ts', '--port', '0', ...args], {
    cwd: repoRoot,
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await vi.waitFor(() => expect(output).toMatch(/OTLP\/HTTP on http:\/\/\S+:\d+/), { timeout: 15_000 });
  const url = /OTLP\/HTTP on (http:\/\/\S+:\d+)/.exec(output)![1];
  return { child, url, output: () => output };
}

async function exportTo(url: string, spans: ReturnType<typeof makeSampleTrace>['spans']) {
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces` });
  const result = await new Promise<{ code: ExportResultCode }>((done) => exporter.export(spans, done));
  await exporter.shutdown();
  expect(result.code).toBe(ExportResultCode.SUCCESS);
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('scripts/trace-view.ts', () => {
  it('prints a completed trace as a waterfall in depth order and stops cleanly on SIGINT', { timeout: 30_000 }, async () => {
    const view = await startTraceView('--idle-ms', '200');
    const sample = makeSampleTrace(2);
    await exportTo(view.url, sample.spans);

    await vi.waitFor(() => expect(view.output()).toContain(`trace ${sample.traceId}  400.0ms  6 spans`), { timeout: 5_000 });
    const lines = view.output().split('\n');
    const names = lines.filter((line) => line.includes('|')).map((line) => /^\s*\+\S+\s+\S+ {2}(.*?) \[/.exec(line)?.[1]);
    expect(names).toEqual([
      'GET /forecast',
      '  send landscape-jobs',
      '    process landscape-jobs',
      '      render landscape',
      '    process landscape-jobs',
      '      render landscape',
    ]);
    // Branches are labelled with their ZIP and format where they start, not on every row.
    expect(lines.filter((line) => /\((zip|format)=/.test(line)).map((line) => /\S+ \[\w+\] \S+ \(([^)]*)\)/.exec(line)?.[1])).toEqual([
      'zip=78729',
      'format=bw',
      'format=eink',
    ]);

    view.child.kill('SIGINT');
    const [code] = await once(view.child, 'exit');
    expect(code).toBe(0);
    expect(view.output()).toContain('trace-view: stopped (SIGINT)');
  });

  it("prints each recorded exception with its bundle frames mapped to the source files while the bundle's map is there", { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-view-stack-'));
    try {
      const stack = await stackOfBundle(dir, true);
      const view = await startTraceView('--idle-ms', '200');
      const sample = makeSampleTrace(1, stack);
      await exportTo(view.url, sample.spans);
      await vi.waitFor(() => expect(view.output()).toContain('exception in render landscape: Error: open-meteo: stub fault'), { timeout: 5_000 });
      const frames = view
        .output()
        .split('exception in render landscape: ')[1]
        .split('\n')
        .slice(1, 3)
        .map((line) => line.trim());
      // Relative to the repository, like src/weather/http.ts in a real run (this bundle lives in a temporary directory).
      expect(frames).toEqual([`at fail (${relative(repoRoot, join(dir, 'src/weather.ts'))}:3:9)`, `at run (${relative(repoRoot, join(dir, 'entry.ts'))}:4:5)`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with --trace prints only that trace; Ctrl-C prints what is still pending', { timeout: 30_000 }, async () => {
    const [other, wanted] = [makeSampleTrace(1), makeSampleTrace(2)];
    // A long idle time: the trace only shows up because SIGINT flushes it.
    const view = await startTraceView('--trace', wanted.traceId.toUpperCase(), '--idle-ms', '60000');
    await exportTo(view.url, [...other.spans, ...wanted.spans]);

    view.child.kill('SIGINT');
    const [code] = await once(view.child, 'exit');
    expect(code).toBe(0);
    expect(view.output()).toContain(`trace ${wanted.traceId}`);
    expect(view.output()).not.toContain(other.traceId);
  });
});
