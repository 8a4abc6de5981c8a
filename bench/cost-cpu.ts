import { randomBytes } from 'node:crypto';
import { startOtlpReceiver } from '../src/otel/testing';
import { startWeatherStub } from '../test/support/weather-stub';
import { FIXTURES } from '../test/fixtures/forecasts';
import { FORMAT_NAMES } from '../src/domain/formats';
import { addFormat } from '../src/storage/format-config';
import { setZipActive } from '../src/storage/zip-registry';
import type { Bundler } from './lib/bundles';
import { track } from './lib/cleanup';
import { probeRuntimeCpuTime, type CpuTimeProbe } from './lib/cpu-time-probe';
import { startQueueWorker, type QueueMessageInput, type QueueWorker } from './lib/miniflare-worker';
import { startOtlpRelay, type OtlpRelay } from './lib/otlp-relay';
import { benchZip, toMessages, withCarrier } from './lib/queue-messages';
import { childPids, cpuTimeAvailable, processCpuNs } from './lib/process-cpu';
import { median, percentile, round } from './lib/stats';
import type { WorkerName } from './lib/paths';
import { judgedRow, type FigureResult, type Row } from './table';

/**
 * Figure `cpu-per-invocation`: CPU per invocation, per worker and batch size, tracing on and off.
 *
 * What we would want is the runtime's own accounting (the `cpuTime` a Tail Worker receives per
 * invocation). The local runtime reports 0 for it: lib/cpu-time-probe.ts checks that on every run
 * and says so in the table. So the figure stays an UPPER BOUND, measured in Node around each call
 * into Miniflare (one workerd process per worker instance):
 * - the workerd process's CPU time over the call (all threads, /proc schedstat): it also counts
 *   Miniflare's own work in that process (the local KV/R2/queue simulators, its HTTP entry), which
 *   Cloudflare runs elsewhere and does not bill;
 * - wall time (Node clock), where /proc is missing: it adds every I/O wait.
 * A bound can show that an invocation fits the Free plan's 10 ms, never that it does not: a p95
 * bound over 10 ms is "not judged" (table.ts `judge`).
 * Tracing on and off run as two instances of the same bundle (off: OTEL_SDK_DISABLED=true, bodies
 * without a `_otel` carrier, as real producers then send them), alternating round by round.
 * Queue and cron calls resolve after the invocation's waitUntil work (the export); a traced HTTP
 * request is timed until its export reached the relay (the relay answers at once, see otlp-relay.ts).
 */
export const CPU_BATCH_SIZES = [1, 10] as const;
export const CRON_ZIPS = 10;
export const FREE_PLAN_CPU_MS = 10;

export interface CpuSide {
  /** Per round, ms: the workerd process's CPU time (absent where /proc is not available). */
  cpuSamplesMs?: number[];
  cpuMedianMs?: number;
  cpuP95Ms?: number;
  /** Per round, ms: wall time. */
  samplesMs: number[];
  medianMs: number;
  p95Ms: number;
}

export interface CpuCase {
  id: string;
  worker: WorkerName;
  /** Messages per queue batch; null for HTTP and cron. */
  batchSize: number | null;
  /** What one invocation does. */
  what: string;
  on: CpuSide;
  off: CpuSide;
}

export interface CpuMeasurement {
  /** What the runtime's Tail Worker events said (lib/cpu-time-probe.ts). */
  runtime: CpuTimeProbe;
  /** Which number the bound is: the workerd process's CPU, or wall time where /proc is missing. */
  boundFrom: 'workerd process CPU' | 'wall time';
  warmupRounds: number;
  rounds: number;
  cases: CpuCase[];
}

/** The bound of one side: p95 of the workerd process CPU where measured, else of wall time. */
export const boundP95 = (side: CpuSide) => side.cpuP95Ms ?? side.p95Ms;
export const boundMedian = (side: CpuSide) => side.cpuMedianMs ?? side.medianMs;

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

function summarize(wall: number[], cpu: number[] | undefined): CpuSide {
  return {
    ...(cpu === undefined ? {} : { cpuSamplesMs: cpu.map((v) => round(v, 2)), cpuMedianMs: round(median(cpu), 2), cpuP95Ms: round(percentile(cpu, 0.95), 2) }),
    samplesMs: wall.map((v) => round(v, 2)),
    medianMs: round(median(wall), 2),
    p95Ms: round(percentile(wall, 0.95), 2),
  };
}

interface CaseSpec {
  id: string;
  worker: WorkerName;
  batchSize: number | null;
  what: string;
  run: (w: QueueWorker, traced: boolean) => Promise<void>;
  seed?: (w: QueueWorker) => Promise<void>;
}

/** One instance of a worker in Miniflare, with its workerd pid where /proc tells it apart. */
async function startInstance(bundler: Bundler, worker: WorkerName, vars: Record<string, string>) {
  const before = new Set(childPids('workerd'));
  const w = await startQueueWorker(await bundler.worker(worker), vars);
  const spawned = childPids('workerd').filter((pid) => !before.has(pid));
  return { w, pid: cpuTimeAvailable() && spawned.length === 1 ? spawned[0] : undefined };
}

export async function measureCpu(bundler: Bundler, options: { quick: boolean }): Promise<CpuMeasurement> {
  const warmupRounds = options.quick ? 2 : 5;
  const rounds = options.quick ? 8 : 40;
  const runtime = await probeRuntimeCpuTime();
  const weather = await startWeatherStub();
  const closeWeather = track('weather stub (cpu)', () => weather.close());
  const receiver = await startOtlpReceiver();
  const closeReceiver = track('OTLP receiver (cpu)', () => receiver.close());
  let relay: OtlpRelay | undefined;
  const cases: CpuCase[] = [];
  let boundFromCpu = true;
  try {
    relay = await startOtlpRelay(receiver.url);
    const vars = {
      OTEL_EXPORTER_OTLP_ENDPOINT: relay.url,
      OPEN_METEO_GEOCODING_URL: weather.url,
      OPEN_METEO_FORECAST_URL: weather.url,
      ADMIN_TOKEN: ADMIN_TOKEN,
    };
    const sample = async (spec: CaseSpec) => {
      const on = await startInstance(bundler, spec.worker, vars);
      try {
        const off = await startInstance(bundler, spec.worker, { ...vars, OTEL_SDK_DISABLED: 'true' });
        try {
          await spec.seed?.(on.w);
          await spec.seed?.(off.w);
          const sides = {
            on: { ...on, traced: true, wall: [] as number[], cpu: [] as number[] },
            off: { ...off, traced: false, wall: [] as number[], cpu: [] as number[] },
          };
          const once = async (side: (typeof sides)['on'], keep: boolean) => {
            const cpu0 = side.pid === undefined ? 0 : processCpuNs(side.pid);
            const start = performance.now();
            await spec.run(side.w, side.traced);
            const wall = performance.now() - start;
            if (keep) {
              side.wall.push(wall);
              if (side.pid !== undefined) side.cpu.push((processCpuNs(side.pid) - cpu0) / 1e6);
            }
            // Outside the timed part: the receiver decodes what the relay kept.
            await relay!.drained();
            receiver.clear();
          };
          for (let i = 0; i < warmupRounds; i++) {
            await once(sides.on, false);
            await once(sides.off, false);
          }
          // Alternating on/off, off/on: drift on the machine hits both sides alike.
          for (let i = 0; i < rounds; i++) {
            const order = i % 2 === 0 ? [sides.on, sides.off] : [sides.off, sides.on];
            for (const side of order) await once(side, true);
          }
          const withCpu = on.pid !== undefined && off.pid !== undefined;
          if (!withCpu) boundFromCpu = false;
          cases.push({
            id: spec.id,
            worker: spec.worker,
            batchSize: spec.batchSize,
            what: spec.what,
            on: summarize(sides.on.wall, withCpu ? sides.on.cpu : undefined),
            off: summarize(sides.off.wall, withCpu ? sides.off.cpu : undefined),
          });
        } finally {
          await off.w.dispose();
        }
      } finally {
        await on.w.dispose();
      }
    };
    const batch = async (w: QueueWorker, traced: boolean, queue: string, bodies: object[]) => {
      const messages: QueueMessageInput[] = toMessages(
        bodies.map((b) => withCarrier(b, traced)),
        `cpu-${Math.random().toString(36).slice(2)}`,
      );
      ok(w, queue, await w.queue(queue, messages), messages.length);
    };
    // A traced HTTP request's export runs in waitUntil after the response: time until it reached the relay.
    const request = async (w: QueueWorker, traced: boolean, path: string, init?: RequestInit) => {
      const exported = traced ? relay!.nextExport() : undefined;
      const res = await w.fetch(path, init);
      if (res.status >= 400) throw new Error(`${path} answered ${res.status}: ${res.body.slice(0, 200)}`);
      await exported;
    };

    const seedWeather = (zips: number) => async (w: QueueWorker) => {
      const kv = await w.kv('CONFIG');
      for (let z = 0; z < zips; z++) {
        const zip = benchZip(GENERATE_BASE, z);
        await kv.put(
          `weather:${zip}`,
          JSON.stringify({ ...fixture, location: { ...fixture.location, zip }, source: { ...fixture.source, fetchedAt: '2026-01-01T00:00:00.000Z' } }),
        );
      }
    };
    for (const n of CPU_BATCH_SIZES) {
      await sample({
        id: `fetcher-${n}`,
        worker: 'fetcher',
        batchSize: n,
        what: `fetch-jobs batch of ${n} (geocode cached)`,
        run: (w, traced) =>
          batch(
            w,
            traced,
            'fetch-jobs',
            Array.from({ length: n }, (_, i) => ({
              schema_version: 1,
              zip_code: benchZip(FETCH_BASE, i),
              scheduled_at: new Date().toISOString(),
              trigger: 'cron',
            })),
          ),
      });
    }
    for (const n of CPU_BATCH_SIZES) {
      await sample({
        id: `dispatcher-${n}`,
        worker: 'dispatcher',
        batchSize: n,
        what: `weather-ready batch of ${n}, five formats each`,
        run: (w, traced) =>
          batch(
            w,
            traced,
            'weather-ready',
            Array.from({ length: n }, (_, i) => ({
              schema_version: 1,
              zip_code: benchZip(DISPATCH_BASE, i),
              lat: fixture.location.lat,
              lon: fixture.location.lon,
              fetched_at: fixture.source.fetchedAt,
            })),
          ),
        seed: async (w) => {
          const kv = await w.kv('CONFIG');
          for (let i = 0; i < n; i++) for (const f of FORMAT_NAMES) await addFormat(kv, benchZip(DISPATCH_BASE, i), f);
        },
      });
    }
    for (const n of CPU_BATCH_SIZES) {
      // A batch of 10 is 2 ZIPs × 5 formats; a batch of 1 is one rgb_light image.
      const zips = Math.ceil(n / FORMAT_NAMES.length);
      await sample({
        id: `generator-${n}`,
        worker: 'generator',
        batchSize: n,
        what: n === 1 ? 'landscape-jobs batch of 1 (rgb_light)' : `landscape-jobs batch of ${n} (${zips} ZIPs × ${FORMAT_NAMES.length} formats)`,
        run: (w, traced) => {
          const fetchedAt = new Date().toISOString();
          return batch(
            w,
            traced,
            'landscape-jobs',
            Array.from({ length: n }, (_, i) => ({
              schema_version: 1,
              zip_code: benchZip(GENERATE_BASE, Math.floor(i / FORMAT_NAMES.length)),
              format_name: FORMAT_NAMES[i % FORMAT_NAMES.length],
              lat: fixture.location.lat,
              lon: fixture.location.lon,
              fetched_at: fetchedAt,
              enqueued_at: fetchedAt,
              run_id: RUN_ID,
            })),
          );
        },
        seed: seedWeather(zips),
      });
    }
    // The web worker: seeded once per instance (a fresh Miniflare each).
    const seedWeb = async (w: QueueWorker) => {
      const kv = await w.kv('CONFIG');
      const r2 = await w.r2('WEATHER_IMAGES');
      for (let i = 0; i < CRON_ZIPS; i++) {
        const zip = benchZip(WEB_BASE, i);
        await setZipActive(kv, zip, true);
        for (const f of FORMAT_NAMES) await addFormat(kv, zip, f);
        await r2.put(`${zip}/rgb_light.png`, new Uint8Array(1500), {
          httpMetadata: { contentType: 'image/png' },
          customMetadata: {
            zip,
            'generated-at': new Date().toISOString(),
            'weather-fetched-at': new Date().toISOString(),
            lat: '30.27',
            lon: '-97.74',
            size: '1500',
          },
        });
      }
    };
    const admin = { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
    await sample({
      id: 'web-image',
      worker: 'web',
      batchSize: null,
      what: 'GET /{zip}/rgb_light.png',
      run: (w, t) => request(w, t, `/${benchZip(WEB_BASE, 0)}/rgb_light.png`),
      seed: seedWeb,
    });
    await sample({
      id: 'web-generate',
      worker: 'web',
      batchSize: null,
      what: 'POST /admin/generate',
      run: (w, t) => request(w, t, `/admin/generate?zip=${benchZip(WEB_BASE, 0)}`, admin),
      seed: seedWeb,
    });
    await sample({
      id: 'web-cron',
      worker: 'web',
      batchSize: null,
      what: `cron with ${CRON_ZIPS} active ZIPs`,
      run: async (w) => ok(w, 'cron', await w.scheduled(CRON)),
      seed: seedWeb,
    });
    await sample({
      id: 'web-forecasts',
      worker: 'web',
      batchSize: null,
      what: `GET /forecasts (${CRON_ZIPS} ZIPs)`,
      run: (w, t) => request(w, t, '/forecasts'),
      seed: seedWeb,
    });
    return { runtime, boundFrom: boundFromCpu ? 'workerd process CPU' : 'wall time', warmupRounds, rounds, cases };
  } finally {
    await relay?.close();
    await closeReceiver();
    await closeWeather();
  }
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

/** The table's lines: one per case, tracing on and off, the bound's p50/p95; and one for the runtime probe. */
export function cpuRows(m: CpuMeasurement): Row[] {
  const probe = m.runtime.invocations.map((i) => `cpuTime ${i.cpuTime}, wallTime ${i.wallTime} for ${ms(i.processCpuMs)} of workerd CPU`).join('; ');
  const rows: Row[] = [
    {
      figure: "CPU per invocation: the runtime's own cpuTime",
      measured: m.runtime.reported ? `REPORTED (${probe}): this figure should read it instead of the bound` : `not reported locally (${probe})`,
      target: '—',
      met: null,
      how: "a spinning worker with a classic Tail Worker attached (bench/lib/cpu-time-probe.ts), the TraceItem's cpuTime/wallTime",
    },
  ];
  for (const c of m.cases) {
    const side = (s: CpuSide) => `p50 ${ms(boundMedian(s))}, p95 ${ms(boundP95(s))}`;
    rows.push(
      judgedRow(
        {
          figure: `CPU per invocation: ${c.worker} (${c.what})`,
          measured: `bound, tracing on: ${side(c.on)}; off: ${side(c.off)}`,
          target: `p95 ≤ ${FREE_PLAN_CPU_MS} ms (Free)`,
          how: `UPPER BOUND: ${m.boundFrom} over the call into Miniflare (includes its KV/R2/queue simulators), ${m.rounds} rounds each, on/off alternating; verdict on tracing on`,
        },
        { interval: [0, boundP95(c.on)], limit: FREE_PLAN_CPU_MS, sense: 'at most' },
      ),
    );
  }
  return rows;
}

export async function benchCpuPerInvocation(measure: () => Promise<CpuMeasurement>): Promise<FigureResult> {
  const m = await measure();
  const fits = (pick: (c: CpuCase) => CpuSide) => m.cases.filter((c) => boundP95(pick(c)) <= FREE_PLAN_CPU_MS).map((c) => c.id);
  return { rows: cpuRows(m), raw: { ...m, freePlanCpuMs: FREE_PLAN_CPU_MS, fitByBound: { tracingOn: fits((c) => c.on), tracingOff: fits((c) => c.off) } } };
}
