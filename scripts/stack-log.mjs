// The workers' JSON log lines of an `npm start` stack: parsed out of wrangler dev's output (shared
// with the tests, test/support/stack-logs.ts), kept in a file per stack, and found again by
// `npm run logs` (scripts/logs.ts) through a registry of the running stacks.
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './local-config.mjs';

const ANSI = /\x1b\[[0-9;]*m/g;
/** One file per running stack, named by the start script's pid: where its log file is. */
export const STACKS_DIR = join(ROOT, '.wrangler', 'stacks');
/** The log file of a stack, inside its state directory (so a test's temporary stack takes it along). */
export const logFileOf = (persistDir) => join(persistDir, 'logs', 'stack.jsonl');

function jsonObjectIn(line) {
  const start = line.indexOf('{"time"');
  const end = line.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  try {
    const value = JSON.parse(line.slice(start, end + 1));
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads wrangler dev's output line by line and hands on each worker JSON log line, parsed, with
 * `message` freed of wrangler's `[worker-name] ` prefix. A JSON line that reached us in pieces
 * (a pipe read can end in the middle of a long line) is joined again from at most four pieces.
 */
export function logLineReader(onLog) {
  let pending = [];
  const emit = (parsed) => {
    if (typeof parsed.message !== 'string') return;
    onLog({ ...parsed, message: parsed.message.replace(/^\[[\w-]+\] /, '') });
  };
  const read = (raw) => {
    const line = raw.replace(ANSI, '');
    if (pending.length > 0) {
      const joined = jsonObjectIn([...pending, line].join(''));
      if (joined) {
        pending = [];
        emit(joined);
        return;
      }
      if (pending.length < 3) {
        pending.push(line);
        return;
      }
      // Not the pieces of one line after all: drop the first, read the rest again.
      const rest = pending.slice(1);
      pending = [];
      for (const piece of [...rest, line]) read(piece);
      return;
    }
    if (!line.includes('{"time"')) return;
    const parsed = jsonObjectIn(line);
    if (parsed) emit(parsed);
    else pending = [line];
  };
  return read;
}

/** Every worker JSON log line in `lines`, parsed. */
export function parseLogLines(lines) {
  const out = [];
  const read = logLineReader((log) => out.push(log));
  for (const line of lines) read(line);
  return out;
}

/** Calls `onLine` with each complete line of a stream (the unfinished tail waits for its newline). */
function eachLine(stream, onLine) {
  let partial = '';
  stream.on('data', (chunk) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) onLine(line);
  });
}

/**
 * `npm start`'s part: passes wrangler's output through to the terminal unchanged and writes the
 * workers' JSON log lines, one object a line, to the stack's log file (emptied at start), which
 * the registry names while the stack runs.
 */
export function keepStackLog(child, { persistDir, port }) {
  const logFile = logFileOf(persistDir);
  mkdirSync(join(persistDir, 'logs'), { recursive: true });
  const out = createWriteStream(logFile, { flags: 'w' });
  const keep = (log) => out.write(`${JSON.stringify(log)}\n`);
  child.stdout.pipe(process.stdout);
  child.stderr.pipe(process.stderr);
  eachLine(child.stdout, logLineReader(keep));
  eachLine(child.stderr, logLineReader(keep));
  mkdirSync(STACKS_DIR, { recursive: true });
  const entry = join(STACKS_DIR, `${process.pid}.json`);
  writeFileSync(entry, JSON.stringify({ pid: process.pid, port, persistDir, logFile }));
  process.on('exit', () => rmSync(entry, { force: true }));
}

/** Colours as on a terminal, though wrangler now writes to a pipe (chalk reads FORCE_COLOR). */
export const STACK_LOG_ENV = process.stdout.isTTY ? { FORCE_COLOR: '1' } : {};

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * The log files to search: every running stack's (whatever its PORT or PERSIST_DIR), then the
 * default stack's last file (`PERSIST_DIR` or .wrangler/state), which outlives its stack.
 */
export function stackLogFiles(env = process.env) {
  const files = [];
  let names = [];
  try {
    names = readdirSync(STACKS_DIR).filter((name) => name.endsWith('.json'));
  } catch {}
  for (const name of names) {
    try {
      const stack = JSON.parse(readFileSync(join(STACKS_DIR, name), 'utf8'));
      if (isRunning(stack.pid) && existsSync(stack.logFile)) files.push(stack.logFile);
      else if (!isRunning(stack.pid)) rmSync(join(STACKS_DIR, name), { force: true });
    } catch {}
  }
  const fallback = logFileOf(env.PERSIST_DIR || join(ROOT, '.wrangler', 'state'));
  if (!files.includes(fallback) && existsSync(fallback)) files.push(fallback);
  return files;
}
