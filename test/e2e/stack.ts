import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(line);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
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
  const logs = () =>
      lines.flatMap((raw) => {
        // wrangler may prefix a line (e.g. "✘ [ERROR]") and colour it: keep the JSON object only.
        const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
        const start = line.indexOf('{"time"');
        const end = line.lastIndexOf('}');
        if (start < 0 || end < start) return [];
        try {
          return [JSON.parse(line.slice(start, end + 1)) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  return {
    baseUrl,
    persistDir: persist,
    token,
    lines,
    logs,
    logsWith(message) {
      return logs().filter((l) => typeof l.message === 'string' && l.message.replace(/^\[[\w-]+\] /, '') === message);
    },
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
