import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/free-port';
import { logsNamed, parseLogLines } from '../support/stack-logs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Stack {
  baseUrl: string;
  /** The state directory of this run; wrangler's command line names it, so its processes can be found. */
  persistDir: string;
  token: string;
  /** Every line the stack printed (wrangler, workers' JSON log lines, the start script). */
  lines: string[];
  /** The JSON log lines of the workers, parsed. */
  logs(): Array<Record<string, unknown>>;
  /** Log lines whose message is `message` (wrangler dev may prefix it with `[worker-name] `). */
  logsWith(message: string): Array<Record<string, unknown>>;
  admin(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** Runs the real `npm start` (one wrangler dev with the four workers) in a fresh state directory. */
export async function startStack(vars: Record<string, string>): Promise<Stack> {
  const port = await freePort();
  const inspector = await freePort();
  const persist = mkdtempSync(join(tmpdir(), 'wl-state-'));
  const token = `e2e-${Math.random().toString(36).slice(2)}`;
  const lines: string[] = [];
  const child: ChildProcess = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), INSPECTOR_PORT: String(inspector), PERSIST_DIR: persist, ADMIN_TOKEN: token, ...vars },
  });
  // A pipe read can end mid-line: keep the unfinished tail of each stream until its newline arrives.
  const collector = () => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) lines.push(line);
    };
  };
  child.stdout!.on('data', collector());
  child.stderr!.on('data', collector());
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const ready = await Promise.race([
    (async () => {
      const deadline = Date.now() + 150_000;
      while (Date.now() < deadline) {
        if (lines.some((l) => l.includes('[start] ready'))) return true;
        await new Promise((r) => setTimeout(r, 200));
      }
      return false;
    })(),
    exited.then(() => false),
  ]);
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {}
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
    rmSync(persist, { recursive: true, force: true });
  };
  if (!ready) {
    await stop();
    throw new Error(`npm start did not become ready:\n${lines.slice(-40).join('\n')}`);
  }
  return {
    baseUrl,
    persistDir: persist,
    token,
    lines,
    logs: () => parseLogLines(lines),
    logsWith: (message) => logsNamed(lines, message),
    admin: (path, init = {}) =>
      fetch(`${baseUrl}${path}`, { method: 'POST', ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } }),
    stop,
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
