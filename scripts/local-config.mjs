// Builds the local-dev wrangler configs from the four wrangler.*.toml files.
// Local overrides (and why): max_batch_timeout = 0 so a queue hop takes milliseconds instead of
// waiting for a batch to fill (production keeps 30 s to batch work); DEPLOYMENT_ENVIRONMENT=local;
// the shell's configuration variables become worker vars, secrets through a `.dev.vars` file so that
// wrangler dev shows them as "(hidden)" instead of printing them in its bindings table.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WORKER_CONFIGS = ['web', 'fetcher', 'dispatcher', 'generator'].map((name) => `wrangler.${name}.toml`);

/** The variables `npm start` passes from the shell to every worker (README "Configuration"). */
export const PASSED_VARS = [
  'ADMIN_TOKEN',
  'OPEN_METEO_GEOCODING_URL',
  'OPEN_METEO_FORECAST_URL',
  'OWM_API_KEY',
  'OWM_API_URL',
  'WEATHER_TIMEOUT_MS',
  'JAEGER_UI_URL',
  'ACCESS_TEAM_DOMAIN',
  'ACCESS_AUD',
  'OTEL_SDK_DISABLED',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_EXPORT_TIMEOUT_MS',
  'TRACE_CONTEXT_HOSTS',
  'TRACE_MESSAGE_BODY_SIZE',
  'TRACE_KEEP_UNSAMPLED_FAILURES',
  'SERVICE_VERSION',
];

/** Passed like the others, but never printed: they go to `.dev.vars`, not to `vars`. */
export const SECRET_VARS = new Set(['ADMIN_TOKEN', 'OWM_API_KEY', 'OTEL_EXPORTER_OTLP_HEADERS']);

export function localConfig(tomlFile, vars) {
  const config = parse(readFileSync(join(ROOT, tomlFile), 'utf8'));
  config.main = join(ROOT, config.main);
  // The config is written elsewhere: paths in `alias` are relative to the toml's folder (the root).
  if (config.alias) config.alias = Object.fromEntries(Object.entries(config.alias).map(([name, to]) => [name, to.startsWith('.') ? join(ROOT, to) : to]));
  for (const consumer of config.queues?.consumers ?? []) consumer.max_batch_timeout = 0;
  config.vars = { ...config.vars, DEPLOYMENT_ENVIRONMENT: 'local', ...vars };
  return config;
}

export function writeLocalConfigs(env, outDir) {
  mkdirSync(outDir, { recursive: true });
  const passed = PASSED_VARS.filter((k) => env[k] !== undefined && env[k] !== '');
  const vars = Object.fromEntries(passed.filter((k) => !SECRET_VARS.has(k)).map((k) => [k, env[k]]));
  // wrangler dev reads `.dev.vars` beside each config; JSON string quoting is valid dotenv quoting.
  const secrets = passed.filter((k) => SECRET_VARS.has(k)).map((k) => `${k}=${JSON.stringify(env[k])}\n`);
  writeFileSync(join(outDir, '.dev.vars'), secrets.join(''), { mode: 0o600 });
  return WORKER_CONFIGS.map((file) => {
    const out = join(outDir, file.replace(/\.toml$/, '.json'));
    writeFileSync(out, JSON.stringify(localConfig(file, vars), null, 2));
    return out;
  });
}

/** `wrangler dev`'s arguments for these configs, as `npm start` runs them; the first config's worker gets the port. */
export function devArgs(configs, { host, port, persistTo, logLevel = 'log', inspectorPort }) {
  const args = [
    'dev',
    ...configs.flatMap((c) => ['-c', c]),
    '--ip',
    host,
    '--port',
    String(port),
    '--persist-to',
    persistTo,
    '--test-scheduled',
    '--show-interactive-dev-session=false',
    '--log-level',
    logLevel,
  ];
  if (inspectorPort) args.push('--inspector-port', String(inspectorPort));
  return args;
}

/** wrangler's environment for a local stack: no Cloudflare account fetches, metrics or update checks. */
export const DEV_ENV = { CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', NO_UPDATE_NOTIFIER: '1' };
