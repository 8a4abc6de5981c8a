import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminTokenProblem, MIN_ADMIN_TOKEN_LENGTH } from '../../../scripts/admin-token.mjs';
import { freePort } from '../../support/free-port';

const ROOT = resolve(import.meta.dirname, '../../..');
const SHORT = 'letmein-0123456789-abcdefghijkl'; // 31 characters

/** Runs a command to its end (or kills its process group after `timeoutMs`) and returns what it printed. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000) {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    // A run that does not refuse would start the stack: stop it rather than wait forever.
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {}
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe('ADMIN_TOKEN: too short to resist guessing is refused', () => {
  it(`needs at least ${MIN_ADMIN_TOKEN_LENGTH} characters, blanks around it not counted`, () => {
    expect(MIN_ADMIN_TOKEN_LENGTH).toBe(32);
    expect(adminTokenProblem(SHORT)).toMatch(/^ADMIN_TOKEN is 31 characters long; at least 32 are needed/);
    expect(adminTokenProblem(`  ${SHORT}  `)).toMatch(/is 31 characters long/);
    expect(adminTokenProblem(undefined)).toMatch(/is 0 characters long/);
    expect(adminTokenProblem(`${SHORT}x`)).toBeUndefined();
    // What the README suggests: `openssl rand -hex 16` prints 32 hex digits.
    expect(adminTokenProblem('0123456789abcdef'.repeat(2))).toBeUndefined();
  });

  it('npm start refuses it with a clear message and a non-zero exit, before starting wrangler', async () => {
    const persist = mkdtempSync(join(tmpdir(), 'wl-state-'));
    try {
      const env = { ...process.env, ADMIN_TOKEN: SHORT, PORT: String(await freePort()), PERSIST_DIR: persist, OTEL_SDK_DISABLED: 'true' };
      const result = await run('npm', ['start', '--silent'], env);
      expect(result.stderr.trim()).toBe(
        '[start] refusing to start: ADMIN_TOKEN is 31 characters long; at least 32 are needed so that it cannot be guessed. ' +
          'Choose a random one, e.g. export ADMIN_TOKEN=$(openssl rand -hex 16)',
      );
      // Nothing else ran: wrangler would have printed its banner here (it shares npm start's stdout).
      expect(result.stdout).toBe('');
      expect(result.code).toBe(1);
    } finally {
      rmSync(persist, { recursive: true, force: true });
    }
  }, 30_000);

  it('npm run deploy refuses it before creating or deploying anything', async () => {
    // A stand-in for `npx` (every wrangler call in deploy.sh goes through it) that only records its calls.
    const bin = mkdtempSync(join(tmpdir(), 'wl-deploy-'));
    try {
      const calls = join(bin, 'calls');
      writeFileSync(calls, '');
      writeFileSync(join(bin, 'npx'), `#!/bin/sh\necho "$*" >> '${calls}'\nexit 1\n`);
      chmodSync(join(bin, 'npx'), 0o755);
      const env = { ...process.env, ADMIN_TOKEN: SHORT, PATH: [bin, dirname(process.execPath), process.env.PATH].join(delimiter) };
      const result = await run('bash', ['scripts/deploy.sh'], env);
      expect(result.stderr).toContain('[deploy] refusing to deploy: ADMIN_TOKEN is 31 characters long; at least 32 are needed');
      expect(result.code).not.toBe(0);
      expect(readFileSync(calls, 'utf8')).toBe('');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
