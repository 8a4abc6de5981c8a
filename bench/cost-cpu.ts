import { randomBytes } from 'node:crypto';
import { startOtlpReceiver } from '../src/otel/testing';
import { startWeatherStub } from '../test/support/weather-stub';
import { FIXTURES } from '../test/fixtures/forecasts';
import { FORMAT_NAMES } from '../src/domain/formats';
import { addFormat } from '../src/storage/format-config';
import { setZipActive } from '../src/storage/zip-registry';
import type { Bundler } from './lib/bundles';
import { track } from './lib/cleanup';
import { startQueueWorker, type QueueMessageInput, type QueueWorker } from './lib/miniflare-worker';
import { startOtlpRelay, type OtlpRelay } from './lib/otlp-relay';
import { benchZip, toMessages, withCarrier } from './lib/queue-messages';
import { childPids, cpuTimeAvailable, processCpuNs } from './lib/process-cpu';
import { median, percentile, round } from './lib/stats';
import type { WorkerName } from './lib/paths';

/**
 * CPU milliseconds per invocation, measured in Node around each call into Miniflare (one workerd
 * process per worker), tracing on, exporting to a local receiver through the relay that answers
 * at once. Two figures per call:
 * - wall time (Node clock): an upper bound that also counts I/O waits (loopback, the weather stub);
 * - the workerd process's CPU time over the call (all threads, /proc schedstat): closer to what
 *   Cloudflare limits, still an upper bound, as it includes Miniflare's own work in that process
 *   (the local KV/R2/queue simulators, its HTTP entry) that Cloudflare runs elsewhere.
 * Queue and cron calls resolve after the invocation's waitUntil work (the export); an HTTP request
 * is timed until its export arrived at the relay.
 */
export const CPU_BATCH_SIZE = 10;
export const CRON_ZIPS = 10;
export const FREE_PLAN_CPU_MS = 10;

export interface CpuCase {
  id: string;
  worker: WorkerName;
  /** What one invocation does. */
  what: string;
  /** Wall time per invocation. */
  samplesMs: number[];
  medianMs: number;
  p95Ms: number;
  /** The workerd process's CPU time per invocation (absent where /proc is not available). */
  cpuSamplesMs?: number[];
  cpuMedianMs?: number;
  cpuP95Ms?: number;
}

const FETCH_BASE = 77100;
const DISPATCH_BASE = 77200;
const GENERATE_BASE = 77300;
const WEB_BASE = 77400;
const CRON = '*/15 * * * *';
// The web worker refuses admin with a token under 32 characters (src/web/admin-token.mjs): 48 hex characters.
const ADMIN_TOKEN = randomBytes(24).toString('hex');
const fixture = Object.values(FIXTURES)[0];
const RUN_ID = '0123456789abcdef0123456789abcdef';

function ok(worker: QueueWorker, what: string, result: { outcome: string; retryMessages?: unknown[]; explicitAcks?: string[] }, expected?: number) {
  if (result.outcome !== 'ok' || (result.retryMessages?.length ?? 0) > 0 || (expected !== undefined && result.explicitAcks?.length !== expected)) {
    throw new Error(`${what}: not fully processed (${JSON.stringify(result)})\n${worker.recentLogs().slice(-5).join('\n')}`);
  }
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export async function measureCpu(bundler: Bundler, options: { quick: boolean }): Promise<CpuCase[]> {
  const warmup = options.quick ? 2 : 5;
  const rounds = options.quick ? 8 : 40;
  const weather = await startWeatherStub();
  const closeWeather = track('weather stub (cpu)', () => weather.close());
  const receiver = await startOtlpReceiver();
  const closeReceiver = track('OTLP receiver (cpu)', () => receiver.close());
  let relay: OtlpRelay | undefined;
  const cases: CpuCase[] = [];
  try {
    relay = await startOtlpRelay(receiver.url);
    const vars = { OTEL_EXPORTER_OTLP_ENDPOINT: relay.url, OPEN_METEO_GEOCODING_URL: weather.url, OPEN_METEO_FORECAST_URL: weather.url, ADMIN_TOKEN: ADMIN_TOKEN };
    const sample = async (id: string, worker: WorkerName, what: string, run: (w: QueueWorker) => Promise<void>, seed?: (w: QueueWorker) => Promise<void>) => {
      const before = new Set(childPids('workerd'));
      const w = await startQueueWorker(await bundler.worker(worker), vars);
      try {
        const spawned = childPids('workerd').filter((pid) => !before.has(pid));
        const pid = cpuTimeAvailable() && spawned.length === 1 ? spawned[0] : undefined;
        await seed?.(w);
        for (let i = 0; i < warmup; i++) await run(w);
        const samples: number[] = [];
        const cpuSamples: number[] = [];
        for (let i = 0; i < rounds; i++) {
          const cpu0 = pid === undefined ? 0 : processCpuNs(pid);
          samples.push(await timed(() => run(w)));
          if (pid !== undefined) cpuSamples.push((processCpuNs(pid) - cpu0) / 1e6);
          await relay!.drained();
          receiver.clear();
        }
        cases.push({
          id, worker, what,
          samplesMs: samples.map((v) => round(v, 2)), medianMs: round(median(samples), 2), p95Ms: round(percentile(samples, 0.95), 2),
          ...(pid === undefined ? {} : { cpuSamplesMs: cpuSamples.map((v) => round(v, 2)), cpuMedianMs: round(median(cpuSamples), 2), cpuP95Ms: round(percentile(cpuSamples, 0.95), 2) }),
        });
      } finally {
        await w.dispose();
      }
    };
    const batch = async (w: QueueWorker, queue: string, bodies: object[]) => {
      const messages: QueueMessageInput[] = toMessages(bodies.map((b) => withCarrier(b, true)), `cpu-${Math.random().toString(36).slice(2)}`);
      ok(w, queue, await w.queue(queue, messages), messages.length);
    };
    // An HTTP request's export runs in waitUntil after the response: time until it reached the relay.
    const request = async (w: QueueWorker, path: string, init?: RequestInit) => {
      const exported = relay!.nextExport();
      const res = await w.fetch(path, init);
      if (res.status >= 400) throw new Error(`${path} answered ${res.status}: ${res.body.slice(0, 200)}`);
      await exported;
    };

    const fetchJobs = (n: number) => Array.from({ length: n }, (_, i) => ({ schema_version: 1, zip_code: benchZip(FETCH_BASE, i), scheduled_at: new Date().toISOString(), trigger: 'cron' }));
    await sample('fetcher', 'fetcher', `fetch-jobs batch of ${CPU_BATCH_SIZE} (geocode cached)`, (w) => batch(w, 'fetch-jobs', fetchJobs(CPU_BATCH_SIZE)));
    // Batches of one: what an invocation costs with max_batch_size = 1 (the setting for the Free plan's CPU limit, if any fits).
    await sample('fetcher-1', 'fetcher', 'fetch-jobs batch of 1', (w) => batch(w, 'fetch-jobs', fetchJobs(1)));
    await sample(
      'dispatcher',
      'dispatcher',
      `weather-ready batch of ${CPU_BATCH_SIZE}, five formats each`,
      (w) =>
        batch(w, 'weather-ready', Array.from({ length: CPU_BATCH_SIZE }, (_, i) => ({
          schema_version: 1, zip_code: benchZip(DISPATCH_BASE, i), lat: fixture.location.lat, lon: fixture.location.lon, fetched_at: fixture.source.fetchedAt,
        }))),
      async (w) => {
        const kv = await w.kv('CONFIG');
        for (let i = 0; i < CPU_BATCH_SIZE; i++) for (const f of FORMAT_NAMES) await addFormat(kv, benchZip(DISPATCH_BASE, i), f);
      },
    );
    const zips = CPU_BATCH_SIZE / FORMAT_NAMES.length;
    await sample(
      'generator',
      'generator',
      `landscape-jobs batch of ${CPU_BATCH_SIZE} (${zips} ZIPs × ${FORMAT_NAMES.length} formats)`,
      (w) => {
        const fetchedAt = new Date().toISOString();
        return batch(w, 'landscape-jobs', Array.from({ length: CPU_BATCH_SIZE }, (_, i) => ({
          schema_version: 1, zip_code: benchZip(GENERATE_BASE, Math.floor(i / FORMAT_NAMES.length)), format_name: FORMAT_NAMES[i % FORMAT_NAMES.length],
          lat: fixture.location.lat, lon: fixture.location.lon, fetched_at: fetchedAt, enqueued_at: fetchedAt, run_id: RUN_ID,
        })));
      },
      async (w) => {
        const kv = await w.kv('CONFIG');
        for (let z = 0; z < zips; z++) {
          const zip = benchZip(GENERATE_BASE, z);
          await kv.put(`weather:${zip}`, JSON.stringify({ ...fixture, location: { ...fixture.location, zip }, source: { ...fixture.source, fetchedAt: '2026-01-01T00:00:00.000Z' } }));
        }
      },
    );
    await sample(
      'generator-1',
      'generator',
      'landscape-jobs batch of 1 (rgb_light)',
      (w) => {
        const fetchedAt = new Date().toISOString();
        return batch(w, 'landscape-jobs', [{
          schema_version: 1, zip_code: benchZip(GENERATE_BASE, 0), format_name: 'rgb_light',
          lat: fixture.location.lat, lon: fixture.location.lon, fetched_at: fetchedAt, enqueued_at: fetchedAt, run_id: RUN_ID,
        }]);
      },
      async (w) => {
        const zip = benchZip(GENERATE_BASE, 0);
        await (await w.kv('CONFIG')).put(`weather:${zip}`, JSON.stringify({ ...fixture, location: { ...fixture.location, zip }, source: { ...fixture.source, fetchedAt: '2026-01-01T00:00:00.000Z' } }));
      },
    );
    // The web worker: one bundle, seeded once per case (a fresh Miniflare each).
    const seedWeb = async (w: QueueWorker) => {
      const kv = await w.kv('CONFIG');
      const r2 = await w.r2('WEATHER_IMAGES');
      for (let i = 0; i < CRON_ZIPS; i++) {
        const zip = benchZip(WEB_BASE, i);
        await setZipActive(kv, zip, true);
        for (const f of FORMAT_NAMES) await addFormat(kv, zip, f);
        await r2.put(`${zip}/rgb_light.png`, new Uint8Array(1500), {
          httpMetadata: { contentType: 'image/png' },
          customMetadata: { zip, 'generated-at': new Date().toISOString(), 'weather-fetched-at': new Date().toISOString(), lat: '30.27', lon: '-97.74', size: '1500' },
        });
      }
    };
    const admin = { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
    await sample('web-generate', 'web', 'POST /admin/generate', (w) => request(w, `/admin/generate?zip=${benchZip(WEB_BASE, 0)}`, admin), seedWeb);
    await sample('web-cron', 'web', `cron with ${CRON_ZIPS} active ZIPs`, async (w) => ok(w, 'cron', await w.scheduled(CRON)), seedWeb);
    await sample('web-image', 'web', `GET /{zip}/rgb_light.png`, (w) => request(w, `/${benchZip(WEB_BASE, 0)}/rgb_light.png`), seedWeb);
    await sample('web-forecasts', 'web', `GET /forecasts (${CRON_ZIPS} ZIPs)`, (w) => request(w, '/forecasts'), seedWeb);
    return cases;
  } finally {
    await relay?.close();
    await closeReceiver();
    await closeWeather();
  }
}
