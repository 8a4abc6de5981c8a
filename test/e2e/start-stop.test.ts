import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startStack, waitFor } from './stack';

function processesOf(persistDir: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', persistDir], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('npm start', () => {
  it('serves all four workers, then stops everything on SIGTERM, leaving no process and no open port', async () => {
    const stack = await startStack({ OTEL_SDK_DISABLED: 'true' });
    expect((await fetch(`${stack.baseUrl}/`)).status).toBe(200);
    expect(processesOf(stack.persistDir).length).toBeGreaterThan(0);
    expect(stack.lines.some((l) => l.includes('[start] ready'))).toBe(true);
    await stack.stop();
    await waitFor('wrangler and workerd to exit', async () => (processesOf(stack.persistDir).length === 0 ? true : undefined), 10_000);
    await expect(fetch(`${stack.baseUrl}/`)).rejects.toThrow();
  });
});
