import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startStack, waitFor } from './stack';

/** The PIDs whose command line names the stack's state directory (wrangler and its workerd). */
function processesOf(persistDir: string): string[] {
  const result = spawnSync('pgrep', ['-f', persistDir], { encoding: 'utf8' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
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
