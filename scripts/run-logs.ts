/**
 * One run's log lines, from the local stack's log files or from `wrangler tail` on the deployed
 * workers (`npm run logs`, scripts/logs.ts), and how each is printed.
 */
import { spawn } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parse } from 'smol-toml';
import { ROOT, WORKER_CONFIGS } from './local-config.mjs';
import type { LogLine } from './stack-log.mjs';

export type { LogLine };

/** The deployed workers' names, from the wrangler.*.toml files. */
export function deployedWorkerNames(): string[] {
  return WORKER_CONFIGS.map((file) => {
    const name = (parse(readFileSync(join(ROOT, file), 'utf8')) as { name?: unknown }).name;
    if (typeof name !== 'string') throw new Error(`${file} has no worker name`);
    return name;
  });
}

/** The lines of `traceId` in the stack log files (one JSON object a line), in time order. */
export async function readLocalRun(traceId: string, files: readonly string[]): Promise<LogLine[]> {
  const found: LogLine[] = [];
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const text of lines) {
      // Cheap test first: most lines are other runs'.
      if (!text.includes(traceId)) continue;
      const line = parseJsonObject(text);
      if (line && line.trace_id === traceId) found.push(line);
    }
  }
  return inTimeOrder(found);
}

/** Sorted by `time`; lines of the same millisecond keep their order (Array.prototype.sort is stable). */
export function inTimeOrder(lines: LogLine[]): LogLine[] {
  return lines.sort((a, b) => field(a.time).localeCompare(field(b.time)));
}

/** A log field as text: parsed JSON, so it may be anything; an object prints as JSON, not `[object Object]`. */
function field(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}

function parseJsonObject(text: string): LogLine | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { message?: unknown }).message === 'string'
      ? (value as LogLine)
      : undefined;
  } catch {
    return undefined;
  }
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));

/** `19:58:07.631  weather-fetcher        info   fetch_weather         weather fetched  78729` (local time; columns fit the longest worker name and action). */
export function formatReadable(line: LogLine): string {
  const at = new Date(String(line.time));
  const time = Number.isNaN(at.getTime()) ? pad(field(line.time), 12) : `${at.toTimeString().slice(0, 8)}.${String(at.getMilliseconds()).padStart(3, '0')}`;
  const where = [line.zip_code, line.format_name].filter((v) => typeof v === 'string' && v).join('/');
  return [time, pad(String(line.worker ?? line.service ?? ''), 21), pad(field(line.level), 5), pad(field(line.action), 20), line.message, where]
    .join('  ')
    .trimEnd();
}

/**
 * One event of `wrangler tail --format json`, as wrangler's own type describes it
 * (TailEventMessage in workers-sdk packages/wrangler/src/tail/createTail.ts; wrangler prints each
 * with `JSON.stringify(event, null, 4)`, node_modules/wrangler/wrangler-dist/cli.js `jsonPrintLogs`).
 */
export interface TailEvent {
  scriptName?: string;
  outcome: string;
  eventTimestamp: number;
  event: unknown;
  logs: Array<{ message: unknown[]; level: string; timestamp: number }>;
  exceptions: Array<{ name: string; message: unknown; timestamp: number }>;
}

/** The log lines of `traceId` in one tail event: our bridge's JSON objects (each console call's one argument). */
export function linesOfTailEvent(event: TailEvent, traceId: string): LogLine[] {
  const found: LogLine[] = [];
  for (const log of event.logs ?? []) {
    const [first] = log.message ?? [];
    const line = typeof first === 'string' ? parseJsonObject(first) : undefined;
    if (line?.trace_id === traceId) found.push(line.worker || !event.scriptName ? line : { ...line, worker: event.scriptName });
  }
  return found;
}

/**
 * The JSON values of a stream of concatenated JSON texts (wrangler tail prints one indented object
 * after another, with no separator a line reader could rely on): each value ends where its
 * outermost brace closes, strings and escapes accounted for.
 */
export async function* jsonValues(stream: Readable): AsyncGenerator<unknown> {
  let buffer = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for await (const chunk of stream) {
    const offset = buffer.length;
    buffer += String(chunk);
    for (let i = offset; i < buffer.length; i++) {
      const c = buffer[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') {
        if (depth++ === 0) start = i;
      } else if ((c === '}' || c === ']') && depth > 0 && --depth === 0) {
        const text = buffer.slice(start, i + 1);
        buffer = buffer.slice(i + 1);
        i = -1;
        try {
          yield JSON.parse(text);
        } catch {
          // Not JSON after all (a stray line): skipped.
        }
      }
    }
    if (depth === 0) buffer = '';
  }
}

/** A running `wrangler tail` (or, in tests, a replay): its JSON output, and how to stop it. */
export interface TailProcess {
  stdout: Readable;
  stop(): void;
}
export type SpawnTail = (worker: string, traceId: string) => TailProcess;

/** The command the default spawner runs for one worker. */
export function tailCommand(worker: string, traceId: string): [string, string[]] {
  // --search: Cloudflare keeps only events whose console output contains the trace id.
  return ['npx', ['wrangler', 'tail', worker, '--format', 'json', '--search', traceId]];
}

/** `npx wrangler tail <worker> --format json`, in a process group of its own, so stopping it stops wrangler too. */
export const spawnWranglerTail: SpawnTail = (worker, traceId) => {
  const [command, args] = tailCommand(worker, traceId);
  const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  return {
    stdout: child.stdout,
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGINT');
      } catch {}
    },
  };
};

/**
 * Tails every worker at once and hands on each line of `traceId` as it arrives, until every tail
 * has ended or `signal` aborts (Ctrl-C), which stops the tails.
 */
export async function tailRun(options: {
  traceId: string;
  workers: readonly string[];
  onLine: (line: LogLine) => void;
  spawnTail?: SpawnTail;
  signal?: AbortSignal;
}): Promise<void> {
  const spawnTail = options.spawnTail ?? spawnWranglerTail;
  const tails = options.workers.map((worker) => spawnTail(worker, options.traceId));
  const stopAll = () => tails.forEach((tail) => tail.stop());
  options.signal?.addEventListener('abort', stopAll, { once: true });
  try {
    await Promise.all(
      tails.map(async (tail) => {
        for await (const value of jsonValues(tail.stdout)) {
          if (isTailEvent(value)) for (const line of linesOfTailEvent(value, options.traceId)) options.onLine(line);
        }
      }),
    );
  } finally {
    options.signal?.removeEventListener('abort', stopAll);
  }
}

function isTailEvent(value: unknown): value is TailEvent {
  return typeof value === 'object' && value !== null && Array.isArray((value as { logs?: unknown }).logs);
}
