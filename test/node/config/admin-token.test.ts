import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN_MIN_LENGTH, adminTokenProblem } from '../../../src/web/admin-token.mjs';
import { runDeployScript } from '../../support/deploy-script';
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

describe('the ADMIN_TOKEN strength rule (shared by the worker, npm start and deploy)', () => {
  it('accepts what the usual generators give: 128 bits or more in 32+ visible characters', () => {
    expect(ADMIN_TOKEN_MIN_LENGTH).toBe(32);
    for (const token of [randomBytes(16).toString('hex'), randomBytes(24).toString('base64'), randomBytes(24).toString('base64url'), `  ${'k'.repeat(40)}\n`]) {
      expect(adminTokenProblem(token), token).toBeUndefined();
    }
  });

  it('refuses a missing, short or unsendable token, saying why and what to do', () => {
    expect(adminTokenProblem(undefined)).toBe('ADMIN_TOKEN is not set.');
    expect(adminTokenProblem('   ')).toBe('ADMIN_TOKEN is not set.');
    expect(adminTokenProblem('test-admin-token')).toBe(
      'ADMIN_TOKEN is 16 characters; it must be at least 32 to resist guessing (e.g. `openssl rand -hex 16`).',
    );
    // 31 after trimming: surrounding whitespace does not count.
    expect(adminTokenProblem(` ${'x'.repeat(31)} `)).toMatch(/^ADMIN_TOKEN is 31 characters/);
    expect(adminTokenProblem(`${'x'.repeat(20)} ${'x'.repeat(20)}`)).toMatch(/visible ASCII/);
    expect(adminTokenProblem(`${'é'.repeat(40)}`)).toMatch(/visible ASCII/);
  });
});

describe('npm start and npm run deploy refuse a token too short to resist guessing', () => {
  it('npm start refuses it with a clear message and a non-zero exit, before starting wrangler', async () => {
    const persist = mkdtempSync(join(tmpdir(), 'wl-state-'));
    try {
      const env = { ...process.env, ADMIN_TOKEN: SHORT, PORT: String(await freePort()), PERSIST_DIR: persist, OTEL_SDK_DISABLED: 'true' };
      const result = await run('npm', ['start', '--silent'], env);
      expect(result.stderr.trim()).toBe(
        '[start] refusing to start: ADMIN_TOKEN is 31 characters; it must be at least 32 to resist guessing (e.g. `openssl rand -hex 16`).',
      );
      // Nothing else ran: wrangler would have printed its banner here (it shares npm start's stdout).
      expect(result.stdout).toBe('');
      expect(result.code).toBe(1);
    } finally {
      rmSync(persist, { recursive: true, force: true });
    }
  }, 30_000);

  it('npm run deploy refuses it before creating or deploying anything', async () => {
    // npx (every wrangler call in deploy.sh) would fail if reached: the refusal must come first.
    const result = await runDeployScript({ ADMIN_TOKEN: SHORT }, 1);
    expect(result.stderr).toContain('[deploy] refusing to deploy: ADMIN_TOKEN is 31 characters; it must be at least 32');
    expect(result.code).not.toBe(0);
    expect(result.calls).toEqual([]);
  });
});
