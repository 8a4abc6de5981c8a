import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { deployedWorkerNames, formatReadable, tailCommand, tailRun, type LogLine, type SpawnTail, type TailEvent } from '../../../scripts/run-logs';

/**
 * `npm run logs -- <trace_id> --remote` on recorded `wrangler tail --format json` events, in the
 * shape of wrangler's own type (TailEventMessage, workers-sdk packages/wrangler/src/tail/createTail.ts:
 * outcome, scriptName, exceptions, logs [{ message: [console args], level, timestamp }],
 * eventTimestamp, event; a queue event is `{ queue, batchSize }`, as wrangler 4.164's printing reads
 * it in node_modules/wrangler/wrangler-dist/cli.js), printed the way wrangler prints them:
 * `JSON.stringify(event, null, 4)` one after another (its logger's `json`).
 */
const EVENTS = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../fixtures/wrangler-tail-events.json'), 'utf8')) as TailEvent[];
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** Replays each worker's recorded events in small chunks (cut mid-object, as pipe reads are), then ends or waits for stop. */
function replayTails(options: { endAfterReplay: boolean }) {
  const spawned: string[] = [];
  const stopped: string[] = [];
  const spawnTail: SpawnTail = (worker, traceId) => {
    spawned.push(`${worker} ${traceId}`);
    const stdout = new PassThrough();
    const text = EVENTS.filter((e) => e.scriptName === worker)
      .map((e) => `${JSON.stringify(e, null, 4)}\n`)
      .join('');
    setImmediate(() => {
      for (let i = 0; i < text.length; i += 97) stdout.write(text.slice(i, i + 97));
      if (options.endAfterReplay) stdout.end();
    });
    return { stdout, stop: () => (stopped.push(worker), stdout.end()) };
  };
  return { spawnTail, spawned, stopped };
}

describe('npm run logs --remote', () => {
  it("tails the four deployed workers and keeps only the trace's lines, as they arrive", async () => {
    const replay = replayTails({ endAfterReplay: true });
    const lines: LogLine[] = [];
    await tailRun({ traceId: TRACE, workers: deployedWorkerNames(), onLine: (line) => lines.push(line), spawnTail: replay.spawnTail });
    expect(replay.spawned).toEqual(['weather-landscape-web', 'weather-fetcher', 'job-dispatcher', 'landscape-generator'].map((w) => `${w} ${TRACE}`));
    // The other run's request, the batch summary, the plain-text line and the cron's exception are left out.
    expect(lines.map((l) => [l.worker, l.action, l.format_name ?? null])).toEqual(
      expect.arrayContaining([
        ['weather-landscape-web', 'enqueue_fetch_job', null],
        ['weather-fetcher', 'fetch_weather', null],
        ['job-dispatcher', 'dispatch_jobs', null],
        ['landscape-generator', 'generate_image', 'rgb_light'],
        ['landscape-generator', 'error', 'eink'],
      ]),
    );
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatchObject({ trace_id: TRACE, zip_code: '78729', run_id: TRACE });
  });

  it('stops every tail on Ctrl-C (abort) and returns', async () => {
    const replay = replayTails({ endAfterReplay: false });
    const abort = new AbortController();
    const lines: LogLine[] = [];
    const done = tailRun({
      traceId: TRACE,
      workers: deployedWorkerNames(),
      spawnTail: replay.spawnTail,
      signal: abort.signal,
      onLine: (line) => {
        lines.push(line);
        if (lines.length === 5) abort.abort();
      },
    });
    await done;
    expect(replay.stopped.sort()).toEqual(['job-dispatcher', 'landscape-generator', 'weather-fetcher', 'weather-landscape-web']);
  });

  it('runs `npx wrangler tail <worker> --format json` by default, filtered to the trace', () => {
    expect(tailCommand('weather-fetcher', TRACE)).toEqual(['npx', ['wrangler', 'tail', 'weather-fetcher', '--format', 'json', '--search', TRACE]]);
  });

  it('prints one readable line: time, worker, level, action, message, ZIP/format', () => {
    const line = {
      time: '2026-12-05T19:58:07.631Z',
      level: 'info',
      message: 'image stored',
      worker: 'landscape-generator',
      action: 'generate_image',
      zip_code: '78729',
      format_name: 'eink',
    };
    expect(formatReadable(line)).toMatch(/^\d\d:\d\d:\d\d\.631 {2}landscape-generator {4}info {3}generate_image {8}image stored {2}78729\/eink$/);
  });
});
