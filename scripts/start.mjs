#!/usr/bin/env node
// `npm start`: the whole pipeline locally in ONE wrangler dev process (four workers sharing
// local queues, KV and R2; two processes would not share a queue). Ctrl-C, SIGTERM, SIGHUP, or the
// exit of the process that started it stop it all.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { adminTokenProblem } from '../src/web/admin-token.mjs';
import { DEV_ENV, devArgs, ROOT, writeLocalConfigs } from './local-config.mjs';
import { probeOtlpEndpoint } from './otlp-probe.mjs';
import { whenParentExits } from './parent-watch.mjs';
import { keepStackLog, STACK_LOG_ENV } from './stack-log.mjs';

const env = { ...process.env };
mkdirSync(join(ROOT, '.wrangler'), { recursive: true });
const port = Number(env.PORT || 8787);
const host = '127.0.0.1';
let generatedToken = false;
if (!env.ADMIN_TOKEN) {
  env.ADMIN_TOKEN = `dev-${randomBytes(24).toString('base64url')}`;
  generatedToken = true;
}

// Before anything is written or started: a guessable token is refused, not run with.
const tokenProblem = adminTokenProblem(env.ADMIN_TOKEN);
if (tokenProblem) {
  console.error(`[start] refusing to start: ${tokenProblem}`);
  process.exit(1);
}

const persistTo = env.PERSIST_DIR || join(ROOT, '.wrangler', 'state');
// A config directory per run, so two stacks started side by side (tests, benchmarks) never share one.
const configDir = mkdtempSync(join(ROOT, '.wrangler', 'local-'));
const configs = writeLocalConfigs(env, configDir);
const removeConfigs = () => rmSync(configDir, { recursive: true, force: true });

const args = devArgs(configs, { host, port, persistTo, logLevel: env.WRANGLER_LOG_LEVEL || 'log', inspectorPort: env.INSPECTOR_PORT });

const wrangler = spawn(join(ROOT, 'node_modules', '.bin', 'wrangler'), args, {
  cwd: ROOT,
  // Its own process group, so stopping it also stops workerd and esbuild.
  detached: true,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...env, ...DEV_ENV, ...STACK_LOG_ENV },
});
// Shown as before, and the workers' JSON lines kept for `npm run logs` (scripts/stack-log.mjs).
keepStackLog(wrangler, { persistDir: persistTo, port });

/** Signals wrangler's process group (workerd, esbuild); it may be gone already. */
function signalStack(signal) {
  if (wrangler.pid === undefined) return;
  try {
    process.kill(-wrangler.pid, signal);
  } catch {}
}

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  signalStack('SIGTERM');
  setTimeout(() => {
    signalStack('SIGKILL');
    process.exit(signal ? 0 : 1);
  }, 4000).unref();
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// A closed terminal: wrangler runs in its own session and would not get the hangup itself.
process.on('SIGHUP', () => stop('SIGHUP'));
// A parent that exits without passing a signal on (npm killed with SIGKILL) would leave it all running.
whenParentExits(() => {
  if (stopping) return;
  console.error('[start] the process that started npm start is gone: stopping the stack');
  stop('parent exited');
});
process.on('exit', () => {
  signalStack('SIGKILL');
  removeConfigs();
});
wrangler.on('exit', (code) => {
  if (!stopping) console.error(`[start] wrangler exited with code ${code}`);
  signalStack('SIGKILL');
  process.exit(stopping ? 0 : (code ?? 1));
});

const base = `http://${host}:${port}`;
const deadline = Date.now() + 120_000;
async function waitReady() {
  while (Date.now() < deadline && !stopping) {
    try {
      // The health route, which is not traced: a probe every 250 ms leaves nothing in Jaeger.
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
waitReady()
  .then((ready) => {
    if (!ready) {
      console.error('[start] the stack did not become ready in 120 s');
      stop();
      return;
    }
    const token = generatedToken ? `${env.ADMIN_TOKEN}   (generated; set ADMIN_TOKEN to choose one)` : '(from ADMIN_TOKEN)';
    console.log(
      [
        '',
        `[start] ready: weather-landscape-web on ${base} with weather-fetcher, job-dispatcher, landscape-generator`,
        `[start] admin token: ${token}`,
        `[start] generate:  curl -X POST -H "Authorization: Bearer ${generatedToken ? env.ADMIN_TOKEN : '$ADMIN_TOKEN'}" '${base}/admin/generate?zip=78729'`,
        `[start] image:     ${base}/78729/rgb_light.png`,
        `[start] cron:      curl '${base}/__scheduled?cron=*/15+*+*+*+*'`,
        `[start] traces:    OTLP to ${env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://localhost:4318'}${env.OTEL_SDK_DISABLED === 'true' ? ' (disabled)' : ''}; UI ${env.JAEGER_UI_URL || 'http://localhost:16686'}`,
        '',
      ].join('\n'),
    );
    if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true') {
      probeOtlpEndpoint(env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://localhost:4318', { otlpHeaders: env.OTEL_EXPORTER_OTLP_HEADERS })
        .then((advice) => advice && console.log(advice))
        // Advice only: a failed probe never stops the stack.
        .catch((error) => console.error(`[start] could not probe the OTLP endpoint: ${error?.message ?? error}`));
    }
  })
  .catch((error) => {
    console.error(`[start] ${error?.message ?? error}`);
    stop();
  });
