import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { DEV_ENV, devArgs, localConfig } from '../../scripts/local-config.mjs';
import { freePort } from '../../test/support/free-port';
import type { Bundler } from './bundles';
import { track } from './cleanup';
import { ROOT, WORKERS, type WorkerName } from './paths';
import { sleep } from './stats';

/** What the latency and throughput figures use of a running stack. */
export interface BenchStack {
  baseUrl: string;
  token: string;
  /** Every line the stack printed, growing live. */
  lines: string[];
  /** POST (by default) with the admin bearer token. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 150_000;

export interface LocalStackOptions {
  /** The pipeline workers to load (default: all four). */
  workers?: readonly WorkerName[];
  /**
   * A bench-only worker loaded FIRST (so it gets the port): writes its config into `dir` and
   * returns the path. It shares the local KV, R2 and queues with the others (one wrangler dev).
   */
  first?: (dir: string) => string;
  /**
   * wrangler dev's `--log-level` (default `log`: the figures that read the workers' log lines need
   * them). `warn` keeps only warnings and errors: at `log`, wrangler's own process used over three
   * CPU-minutes during one 10,000-ZIP cron tick (10,000 `run started` lines) on the 2-core bench machine.
   */
  logLevel?: 'log' | 'warn';
}

/**
 * The local stack as `npm start` runs it (one `wrangler dev` with the four workers, local queues,
 * KV and R2, the same local overrides from scripts/local-config.mjs: max_batch_timeout = 0 etc.),
 * with two differences that keep a benchmark run sound in a checkout others work in:
 * - the configs go to the bench's tmp dir, not the shared .wrangler/local/ that every `npm start`
 *   rewrites with its own ADMIN_TOKEN and vars (through `npm start`, one bench run saw its stack
 *   answer 401 to its own token halfway through while others ran e2e tests and edited src/);
 * - the workers run from the bundles built at the start of the bench (`no_bundle`), so an edit
 *   to src/ during the run does not hot-reload the workers and drop in-flight queue work.
 * The bundles are the same `wrangler deploy --dry-run` output the other figures measure.
 */
export async function startLocalStack(bundler: Bundler, tmpRoot: string, vars: Record<string, string>, options: LocalStackOptions = {}): Promise<BenchStack> {
  // 32 characters or more, or the web worker refuses admin (src/web/admin-token.mjs).
  const token = `bench-${randomBytes(24).toString('hex')}`;
  const dir = join(tmpRoot, 'stack');
  const persist = join(dir, 'state');
  mkdirSync(persist, { recursive: true });
  const configs: string[] = options.first ? [options.first(dir)] : [];
  for (const worker of options.workers ?? WORKERS) {
    const bundle = await bundler.worker(worker);
    const config: Record<string, unknown> = {
      ...localConfig(`wrangler.${worker}.toml`, { ...vars, ADMIN_TOKEN: token }),
      main: bundle.mainPath,
      no_bundle: true,
    };
    // Paths in a config are relative to its file; this one lives in the tmp dir.
    const assets = config.assets as { directory?: string } | undefined;
    if (assets?.directory && !isAbsolute(assets.directory)) config.assets = { ...assets, directory: join(ROOT, assets.directory) };
    const path = join(dir, `wrangler.${worker}.json`);
    writeFileSync(path, JSON.stringify(config, null, 2));
    configs.push(path);
  }
  const port = await freePort();
  const inspector = await freePort();
  // `npm start`'s own arguments and environment (scripts/local-config.mjs), so both run wrangler dev alike.
  const args = devArgs(configs, { host: '127.0.0.1', port, persistTo: persist, logLevel: options.logLevel ?? 'log', inspectorPort: inspector });
  const lines: string[] = [];
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: ROOT,
    // Its own process group, so stopping it also stops workerd and esbuild.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...DEV_ENV },
  });
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(line);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = track('local stack (wrangler dev)', async () => {
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {}
    };
    signal('SIGTERM');
    await Promise.race([exit, sleep(5000)]);
    if (!exited) {
      signal('SIGKILL');
      await Promise.race([exit, sleep(2000)]);
    }
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) break;
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) break;
    await sleep(250);
  }
  if (exited || Date.now() > deadline) {
    await stop();
    throw new Error(`the local stack did not become ready:\n${lines.slice(-30).join('\n')}`);
  }
  return {
    baseUrl,
    token,
    lines,
    admin: (path, init = {}) => fetch(`${baseUrl}${path}`, { method: 'POST', ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } }),
    stop,
  };
}
