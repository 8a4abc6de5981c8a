import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../support/free-port';
import { logsNamed, parseLogLines } from '../support/stack-logs';

const ROOT = resolve(import.meta.dirname, '../..');

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

export interface StackOptions {
  /**
   * A test-only worker loaded into the same `wrangler dev`, FIRST, so that it gets the port: called
   * with the stack's config directory, it writes its wrangler config there and returns the path.
   * The stack then runs `wrangler dev` itself with `npm start`'s configs and arguments
   * (scripts/local-config.mjs) plus this one, so no production script knows the extra worker.
   */
  firstWorker?: (configDir: string) => string;
}

interface LocalConfigModule {
  writeLocalConfigs(env: Record<string, string | undefined>, outDir: string): string[];
  devArgs(configs: string[], options: { host: string; port: number; persistTo: string; inspectorPort?: number }): string[];
  DEV_ENV: Record<string, string>;
}

/** Runs the real `npm start` (one wrangler dev with the four workers) in a fresh state directory. */
export async function startStack(vars: Record<string, string>, options: StackOptions = {}): Promise<Stack> {
  const port = await freePort();
  const inspector = await freePort();
  const persist = mkdtempSync(join(tmpdir(), 'wl-state-'));
  // Long enough for the ADMIN_TOKEN rule of the worker and npm start (src/web/admin-token.mjs: 32 characters or more).
  const token = `e2e-${randomBytes(24).toString('base64url')}`;
  const lines: string[] = [];
  const env = { ...process.env, PORT: String(port), INSPECTOR_PORT: String(inspector), PERSIST_DIR: persist, ADMIN_TOKEN: token, ...vars };
  let configDir: string | undefined;
  let child: ChildProcess;
  if (options.firstWorker) {
    // A runtime import: the helper is plain JS shared with `npm start`, so both build configs alike.
    const local = (await import(pathToFileURL(join(ROOT, 'scripts', 'local-config.mjs')).href)) as LocalConfigModule;
    mkdirSync(join(ROOT, '.wrangler'), { recursive: true });
    configDir = mkdtempSync(join(ROOT, '.wrangler', 'local-'));
    const configs = [options.firstWorker(configDir), ...local.writeLocalConfigs(env, configDir)];
    child = spawn(
      join(ROOT, 'node_modules', '.bin', 'wrangler'),
      local.devArgs(configs, { host: '127.0.0.1', port, persistTo: persist, inspectorPort: inspector }),
      {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...env, ...local.DEV_ENV },
      },
    );
  } else {
    child = spawn('npm', ['start', '--silent'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  // `npm start` says when it is ready; a stack run without it is ready when its port answers /healthz (untraced).
  const isReady = options.firstWorker
    ? async () => {
        try {
          return (await fetch(`${baseUrl}/healthz`)).ok;
        } catch {
          return false;
        }
      }
    : async () => lines.some((l) => l.includes('[start] ready'));
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
        if (await isReady()) return true;
        await new Promise((r) => setTimeout(r, 200));
      }
      return false;
    })(),
    exited.then(() => false),
  ]);
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {}
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
    rmSync(persist, { recursive: true, force: true });
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  };
  if (!ready) {
    await stop();
    throw new Error(`the stack did not become ready:\n${lines.slice(-40).join('\n')}`);
  }
  return {
    baseUrl,
    persistDir: persist,
    token,
    lines,
    logs: () => parseLogLines(lines),
    logsWith: (message) => logsNamed(lines, message),
    admin: (path, init = {}) => fetch(`${baseUrl}${path}`, { method: 'POST', ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } }),
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
