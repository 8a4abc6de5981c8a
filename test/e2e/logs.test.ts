import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpReceiver } from '../../src/otel/testing';
import type { WeatherStub } from '../support/weather-stub';
import { waitFor, type Stack } from './stack';
import { closeTestbed, startTestbed } from './testbed';

/**
 * `npm run logs -- <trace_id>` on the real `npm start` stack: one admin run's lines from all four
 * workers, found in the stack's own log file (this stack runs with a PERSIST_DIR and PORT of its
 * own), each with the search fields of docs/logs.md.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const WORKERS = ['weather-landscape-web', 'weather-fetcher', 'job-dispatcher', 'landscape-generator'];
let weather: WeatherStub;
let receiver: OtlpReceiver;
let stack: Stack;

beforeAll(async () => {
  ({ weather, receiver, stack } = await startTestbed());
});

afterAll(async () => {
  await closeTestbed({ stack, receiver, weather });
});

/** A run's lines as `npm run logs --json` prints them, once `complete` says all of them are there (a bounded poll). */
function runLines(traceId: string, what: string, complete: (lines: Record<string, unknown>[]) => boolean): Promise<Record<string, unknown>[]> {
  return waitFor(
    what,
    async () => {
      const { code, stdout } = await npmRunLogs(traceId, '--json');
      if (code !== 0) return undefined;
      const parsed = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      return complete(parsed) ? parsed : undefined;
    },
    30_000,
    500,
  );
}

/** The real command, as an engineer types it. */
function npmRunLogs(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('npm', ['run', '--silent', 'logs', '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('npm run logs', () => {
  it("prints one run's lines from all four workers, with the search fields", async () => {
    expect((await stack.admin('/admin/formats/add?zip=78729&format=eink')).status).toBe(200);
    const started = await stack.admin('/admin/generate?zip=78729');
    expect(started.status).toBe(202);
    const { trace_id: traceId } = await started.json<{ trace_id: string }>();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(existsSync(join(stack.persistDir, 'logs', 'stack.jsonl'))).toBe(true);

    // The run is over once both images are stored; the command then finds every line of it.
    const lines = await runLines(
      traceId,
      'both generate_image lines in `npm run logs --json`',
      (parsed) => parsed.filter((l) => l.action === 'generate_image').length === 2,
    );

    expect(new Set(lines.map((l) => l.worker))).toEqual(new Set(WORKERS));
    const times = lines.map((l) => String(l.time));
    expect(times).toEqual([...times].sort());
    for (const line of lines) {
      expect(line).toMatchObject({
        trace_id: traceId,
        span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
        zip_code: '78729',
        run_id: traceId,
        trigger: 'admin',
        action: expect.stringMatching(/^[a-z_]+$/),
      });
      // Only the admin request's server span is a root; every queue consumer's span has its producer as parent.
      if (line.worker !== 'weather-landscape-web') expect(line.parent_span_id).toMatch(/^[0-9a-f]{16}$/);
    }
    const actionsOf = (worker: string) => lines.filter((l) => l.worker === worker).map((l) => l.action);
    expect(actionsOf('weather-landscape-web')).toContain('enqueue_fetch_job');
    expect(actionsOf('weather-fetcher')).toContain('fetch_weather');
    expect(actionsOf('job-dispatcher')).toContain('dispatch_jobs');
    const images = lines.filter((l) => l.action === 'generate_image');
    expect(images.map((l) => l.format_name).sort()).toEqual(['eink', 'rgb_light']);
    expect(images.every((l) => l.worker === 'landscape-generator')).toBe(true);

    // Readable: time, worker, level, action, message, ZIP/format.
    const readable = await npmRunLogs(traceId);
    expect(readable.code).toBe(0);
    const printed = readable.stdout.trim().split('\n');
    expect(printed).toHaveLength(lines.length);
    for (const worker of WORKERS) expect(printed.some((l) => l.includes(worker))).toBe(true);
    expect(printed).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} {2}landscape-generator +info +generate_image +image stored {2}78729\/eink$/));
    expect(printed).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} {2}weather-fetcher +info +fetch_weather +weather fetched {2}78729$/));
  });

  it("finds a failed run's error lines by ZIP and action, in the worker that gave up and in the dead letter's record", async () => {
    const started = await stack.admin('/admin/generate?zip=00000');
    expect(started.status).toBe(202);
    const { trace_id: traceId } = await started.json<{ trace_id: string }>();
    const lines = await runLines(traceId, 'the dead letter to be recorded', (parsed) => parsed.some((l) => l.action === 'record_dead_letter'));
    // The unknown ZIP is permanent: the fetcher dead-letters it at once, with the run's words from the context.
    expect(lines.filter((l) => l.action === 'error')).toEqual([
      expect.objectContaining({
        worker: 'weather-fetcher',
        level: 'error',
        message: 'queue message dead-lettered',
        zip_code: '00000',
        run_id: traceId,
        trigger: 'admin',
      }),
    ]);
    expect(lines.find((l) => l.action === 'record_dead_letter')).toMatchObject({ worker: 'weather-landscape-web', zip_code: '00000', run_id: traceId });
  });

  it('says so, and fails, for a trace it has no line of', async () => {
    const { code, stderr } = await npmRunLogs('0123456789abcdef0123456789abcdef');
    expect(code).toBe(1);
    expect(stderr).toContain('no line of trace 0123456789abcdef0123456789abcdef');
  });
});
