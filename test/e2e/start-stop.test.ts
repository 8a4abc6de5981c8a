import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port';
import { startStack, waitFor } from './stack';

const ROOT = resolve(import.meta.dirname, '../..');

/** The PIDs whose command line names the stack's state directory (wrangler and its workerd). */
function processesOf(persistDir: string): string[] {
  const result = spawnSync('pgrep', ['-f', persistDir], { encoding: 'utf8' });
  const error: NodeJS.ErrnoException | undefined = result.error;
  if (error?.code === 'ENOENT') {
    throw new Error('pgrep is not installed: this test needs it (Debian package procps; .ci/run installs it)');
  }
  if (result.error) throw result.error;
  if (result.status === 1) return []; // pgrep exits 1 when nothing matches
  if (result.status !== 0) throw new Error(`pgrep failed (exit ${result.status}): ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean);
}

describe('npm start', () => {
  it('serves all four workers, then stops everything on SIGTERM, leaving no process and no open port', async () => {
    const stack = await startStack({ OTEL_SDK_DISABLED: 'true' });
    try {
      expect((await fetch(`${stack.baseUrl}/`)).status).toBe(200);
      expect(processesOf(stack.persistDir).length).toBeGreaterThan(0);
      expect(stack.lines.some((l) => l.includes('[start] ready'))).toBe(true);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    await stack.stop();
    await waitFor('wrangler and workerd to exit', async () => (processesOf(stack.persistDir).length === 0 ? true : undefined), 10_000);
    await expect(fetch(`${stack.baseUrl}/`)).rejects.toThrow();
  });
});

/** The process group of `pid`, and its parent (`ps`; undefined once the process is gone). */
function psField(pid: number, field: 'pgid' | 'ppid'): number | undefined {
  const result = spawnSync('ps', ['-o', `${field}=`, '-p', String(pid)], { encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status === 1) return undefined; // ps exits 1 when no such process
  if (result.status !== 0) throw new Error(`ps failed (exit ${result.status}): ${result.stderr}`);
  return Number(result.stdout.trim());
}

/** The PIDs in process group `pgid` (wrangler dev's group: wrangler, its workerd and esbuild). */
function processesInGroup(pgid: number): string[] {
  const result = spawnSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status === 1) return [];
  if (result.status !== 0) throw new Error(`pgrep failed (exit ${result.status}): ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean);
}

describe('npm start & (a background job of a non-interactive shell)', () => {
  // SIGTERM: npm passes it to scripts/start.mjs (package.json's `exec` makes that npm's child), and
  // exits once the stack has stopped. SIGKILL: npm passes nothing; start.mjs notices its parent is gone.
  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'stops wrangler, workerd and itself when the npm process gets %s, freeing the port',
    async (signal) => {
      const port = await freePort();
      const persist = mkdtempSync(join(tmpdir(), 'wl-state-'));
      // No ADMIN_TOKEN: the token npm start generates must pass its own rule.
      const { ADMIN_TOKEN: _unused, ...env } = process.env;
      // As the README's quick start does it: the shell stays, npm runs as its background job.
      const shell = spawn('bash', ['-c', 'npm start --silent & echo "npm-pid=$!"; wait'], {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...env, PORT: String(port), INSPECTOR_PORT: String(await freePort()), PERSIST_DIR: persist, OTEL_SDK_DISABLED: 'true' },
      });
      let output = '';
      shell.stdout.on('data', (chunk) => (output += chunk));
      shell.stderr.on('data', (chunk) => (output += chunk));
      const shellExited = new Promise((resolve) => shell.once('exit', resolve));
      const baseUrl = `http://127.0.0.1:${port}`;
      let wranglerGroup: number | undefined;
      let startScript: number | undefined;
      try {
        const npmPid = Number(await waitFor("the shell to print npm's pid", async () => /npm-pid=(\d+)/.exec(output)?.[1], 10_000));
        await waitFor('the stack to serve', async () => (output.includes('[start] ready') ? true : undefined), 150_000, 250);
        expect((await fetch(`${baseUrl}/`)).status).toBe(200);
        const [wrangler] = processesOf(persist);
        wranglerGroup = psField(Number(wrangler), 'pgid');
        startScript = psField(Number(wrangler), 'ppid');
        expect(wranglerGroup).toBeDefined();
        expect(startScript).toBeDefined();

        process.kill(npmPid, signal);
        await shellExited;
        if (signal === 'SIGTERM') expect(psField(startScript!, 'pgid'), 'scripts/start.mjs still runs after npm exited').toBeUndefined();
        await waitFor('scripts/start.mjs to exit', async () => (psField(startScript!, 'pgid') === undefined ? true : undefined), 15_000);
        await waitFor('wrangler, workerd and esbuild to exit', async () => (processesInGroup(wranglerGroup!).length === 0 ? true : undefined), 15_000);
        expect(processesOf(persist)).toEqual([]);
        await expect(fetch(`${baseUrl}/`)).rejects.toThrow();
        if (signal === 'SIGKILL') expect(output).toContain('[start] the process that started npm start is gone: stopping the stack');
      } catch (error) {
        // Whatever the failed run left behind.
        for (const target of [wranglerGroup && -wranglerGroup, startScript, -shell.pid!]) {
          try {
            if (target) process.kill(target, 'SIGKILL');
          } catch {}
        }
        throw new Error(`${(error as Error).message}\n--- what the shell printed (last 30 lines):\n${output.split('\n').slice(-30).join('\n')}`, {
          cause: error,
        });
      } finally {
        rmSync(persist, { recursive: true, force: true });
      }
    },
    200_000,
  ); // startup may take up to the 150 s the harness allows, then the bounded waits for the stop
});
