import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
/** The variables deploy.sh reads: a test names the ones it sets, so the shell's own never leak in. */
const DEPLOY_VARS = ['ADMIN_TOKEN', 'OWM_API_KEY', 'OTEL_EXPORTER_OTLP_HEADERS', 'CRON_CADENCE_MINUTES'];

/**
 * Runs scripts/deploy.sh with a stand-in for `npx` (every wrangler call in it goes through npx, the
 * one way out to Cloudflare) that records its calls and exits with `npxExit`.
 */
export async function runDeployScript(vars: Record<string, string>, npxExit = 0): Promise<{ code: number | null; stderr: string; calls: string[] }> {
  const bin = mkdtempSync(join(tmpdir(), 'wl-deploy-'));
  try {
    const calls = join(bin, 'calls');
    writeFileSync(calls, '');
    writeFileSync(join(bin, 'npx'), `#!/bin/sh\necho "$*" >> '${calls}'\nexit ${npxExit}\n`);
    chmodSync(join(bin, 'npx'), 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: [bin, dirname(process.execPath), process.env.PATH].join(delimiter) };
    for (const name of DEPLOY_VARS) delete env[name];
    Object.assign(env, vars);
    const child = spawn('bash', ['scripts/deploy.sh'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((done) => child.once('close', done));
    return { code, stderr, calls: readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean) };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}
