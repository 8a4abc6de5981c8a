import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { cronOfCadence, DEFAULT_CADENCE_MINUTES } from '../src/domain/cadence.mjs';
import { startOtlpReceiver, type ReceivedSpan } from '../src/otel/testing';
import type { Bundler } from './lib/bundles';
import { track } from './lib/cleanup';
import { mapLimit } from '../src/concurrency';
import { ledgerFromSpans } from '../test/support/ledger';
import { startLocalStack } from './lib/local-stack';
import { ROOT } from './lib/paths';
import { PRICES } from './lib/prices';
import { benchZip } from './lib/queue-messages';
import { settledSpans } from './lib/settle';
import { sleep } from './lib/stats';
import type { FigureResult, Row } from './table';

/**
 * Figure: one cron tick at 100, 1,000 and 10,000 active ZIPs, on the local stack (wrangler dev,
 * the web worker's bundle, tracing on, exporting to the bench's OTLP receiver), measured from what
 * the tick exported and from what arrived on `fetch-jobs`, so it holds for any fan-out design:
 * - subrequests of the cron invocation and its queue send calls: bench/lib/ledger.ts over the
 *   tick's spans (every KV and queue binding call is a span; +1 for the export POST no span shows);
 *   a `send fetch-jobs` span with `messaging.batch.message_count` is a `sendBatch`, one without a `send`;
 * - no ZIP lost: a bench-only worker (bench/variants/tick-probe.ts) is the only consumer of
 *   `fetch-jobs` (no fetcher, dispatcher or generator is loaded) and counts the fetch jobs by ZIP,
 *   so 10,000 ZIPs cost 10,000 acks, not 10,000 forecasts and renders;
 * - wall time: a Node clock around the tick (the probe fires the web worker's scheduled handler
 *   through a service binding; the call returns when the handler has), and until the last fetch
 *   job was delivered; the spans and OTLP POSTs the tick exported, and their bytes.
 * The registry is seeded through the probe with the registry's own code (setZipActive), sizes
 * cumulatively (100, then up to 1,000, then up to 10,000), so no run's ZIPs are lost between sizes.
 */
const SIZES = [100, 1_000, 10_000];
const QUICK_SIZES = [100, 1_000];
const FIRST_ZIP = 80_000;
const SEED_CHUNK = 1_000;
const CRON = cronOfCadence(DEFAULT_CADENCE_MINUTES);
const MESSAGES_PER_SEND_BATCH = 100;
const SUBREQUEST_ALLOWANCE = 15;
/** "Well inside the 15-minute interval": a third of it, so a slow tick still leaves two-thirds of the period. */
const TICK_TARGET_MS = 5 * 60_000;
const EXPORT_SUBREQUESTS = 1;
/** A tick past its target is a NO whatever it then takes: stop waiting there, so the bench stays bounded. */
const TICK_TIMEOUT_MS = TICK_TARGET_MS;

interface Delivered {
  messages: number;
  zips: number;
  duplicates: number;
  invalid: number;
}

export interface TickFigure {
  zips: number;
  /** Null when the cron span did not arrive (the trace is incomplete): not counted, not guessed. */
  subrequests: number | null;
  subrequestTarget: number;
  kvCalls: number;
  sendBatchCalls: number;
  sendCalls: number;
  messagesSent: number;
  delivered: Delivered;
  tickMs: number;
  cronSpanMs: number | null;
  allDeliveredMs: number;
  spans: number;
  exports: number;
  exportBytes: number;
}

interface TickError {
  zips: number;
  error: string;
}

/** POSTs and returns the body, failing after `timeoutMs` (node:http: no header timeout of its own). */
function postWithin(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`POST ${url} answered ${res.statusCode}: ${body.slice(0, 300)}`))));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs / 60_000} min`)));
    req.on('error', reject);
    req.end();
  });
}

function writeProbeConfig(dir: string): string {
  const web = parse(readFileSync(join(ROOT, 'wrangler.web.toml'), 'utf8')) as {
    compatibility_date: string;
    compatibility_flags?: string[];
    kv_namespaces: Array<{ binding: string; id: string }>;
  };
  const config = {
    name: 'weather-landscape-tick-probe',
    main: join(ROOT, 'bench', 'variants', 'tick-probe.ts'),
    compatibility_date: web.compatibility_date,
    compatibility_flags: web.compatibility_flags ?? [],
    // The web worker's registry namespace: one wrangler dev shares it between the two.
    kv_namespaces: web.kv_namespaces.filter((kv) => kv.binding === 'CONFIG'),
    queues: { consumers: [{ queue: 'fetch-jobs', max_batch_size: 100, max_batch_timeout: 0, max_retries: 0 }] },
    services: [{ binding: 'WEB', service: 'weather-landscape-web' }],
  };
  const path = join(dir, 'wrangler.tick-probe.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

const isSend = (s: ReceivedSpan) => s.name === 'send fetch-jobs' && (s.kind === 'PRODUCER' || s.kind === 'CLIENT');

export async function benchCronTick(bundler: Bundler, tmpRoot: string, options: { quick: boolean }): Promise<FigureResult> {
  const log = (m: string) => console.error(`[bench] cron-tick: ${m}`);
  const sizes = options.quick ? QUICK_SIZES : SIZES;
  const receiver = await startOtlpReceiver();
  const stopReceiver = track('OTLP receiver (cron tick)', () => receiver.close());
  const dir = join(tmpRoot, 'cron-tick');
  mkdirSync(dir, { recursive: true });
  try {
    log('starting the web worker and the tick probe (wrangler dev)…');
    const stack = await startLocalStack(
      bundler,
      dir,
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, TRACE_MESSAGE_BODY_SIZE: 'true' },
      { workers: ['web'], first: writeProbeConfig, logLevel: 'warn' },
    );
    try {
      const probe = async <T>(path: string, init?: RequestInit): Promise<T> => {
        const res = await fetch(`${stack.baseUrl}/__probe/${path}`, init);
        const text = await res.text();
        if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 500)}\n${stack.lines.slice(-20).join('\n')}`);
        return JSON.parse(text) as T;
      };
      const figures: Array<TickFigure | TickError> = [];
      let seeded = 0;
      for (const size of sizes) {
        log(`seeding active ZIPs up to ${size}…`);
        const t = performance.now();
        const chunks: string[][] = [];
        for (let from = seeded; from < size; from += SEED_CHUNK)
          chunks.push(Array.from({ length: Math.min(SEED_CHUNK, size - from) }, (_, i) => benchZip(FIRST_ZIP, from + i)));
        await mapLimit(chunks, 2, (zips) => probe('seed', { method: 'POST', body: JSON.stringify({ zips }) }));
        seeded = size;
        log(`seeded in ${((performance.now() - t) / 1000).toFixed(1)} s; one tick…`);

        try {
          figures.push(await measureTick(size));
          const f = figures.at(-1) as TickFigure;
          log(
            `${size} ZIPs: ${f.subrequests ?? 'uncounted (no cron span)'} subrequests, ${f.sendBatchCalls} sendBatch + ${f.sendCalls} send, ${f.delivered.zips} ZIPs delivered, tick ${(f.tickMs / 1000).toFixed(2)} s, ${f.spans} spans`,
          );
        } catch (error) {
          // One size that cannot be measured (a tick past the interval) must not hide the others.
          const cause = (error as Error).cause;
          figures.push({
            zips: size,
            error: String((error as Error).message ?? error).split('\n')[0] + (cause ? ` (${String((cause as Error).message ?? cause)})` : ''),
          });
          log(`the stack's last lines:\n${stack.lines.slice(-15).join('\n')}`);
          log(`${size} ZIPs failed: ${(error as Error).stack ?? String(error)}`);
        }
      }
      return { rows: tickRows(figures), raw: { cron: CRON, firstZip: FIRST_ZIP, sizes: figures } };

      async function measureTick(size: number): Promise<TickFigure> {
        await probe('reset', { method: 'POST' });
        receiver.clear();
        const started = performance.now();
        // Not fetch(): its 300 s header timeout would end a slow tick before the interval does.
        const tick = JSON.parse(await postWithin(`${stack.baseUrl}/__probe/tick?cron=${encodeURIComponent(CRON)}`, TICK_TIMEOUT_MS)) as {
          outcome: string | null;
        };
        const tickMs = performance.now() - started;
        if (tick.outcome !== null && tick.outcome !== 'ok') throw new Error(`the cron with ${size} ZIPs ended ${tick.outcome}`);
        let delivered: Delivered = { messages: 0, zips: 0, duplicates: 0, invalid: 0 };
        let allDeliveredMs = Number.NaN;
        const deadline = Date.now() + 60_000 + size * 20;
        while (delivered.zips < size && Date.now() < deadline) {
          delivered = await probe<Delivered>('delivered');
          if (delivered.zips >= size) allDeliveredMs = performance.now() - started;
          else await sleep(50);
        }
        // The tick's invocation exports once, when it ends: its first trace POST, then quiet.
        const spans = await settledSpans(receiver, () => receiver.posts.some((p) => p.spanCount > 0), `cron tick with ${size} ZIPs`, 60_000 + size * 20);
        delivered = await probe<Delivered>('delivered');
        const cronSpan = spans.find((s) => s.name.startsWith('cron '));
        if (cronSpan?.status.code === 'ERROR') throw new Error(`the cron with ${size} ZIPs failed: ${cronSpan.status.message ?? ''}`);
        const sends = spans.filter(isSend);
        const batches = sends.filter((s) => typeof s.attributes['messaging.batch.message_count'] === 'number');
        const traces = receiver.posts.filter((p) => p.spanCount > 0);
        // Without its cron span the tick's trace is incomplete (the worker's span processor drops
        // what it cannot buffer): its subrequests cannot be counted; what arrived is reported.
        let subrequests: number | null = null;
        let kvCalls = spans.filter((s) => s.kind === 'CLIENT' && s.attributes['db.system.name'] === 'cloudflare_kv').length;
        let messagesSent = sends.reduce(
          (m, s) => m + (typeof s.attributes['messaging.batch.message_count'] === 'number' ? s.attributes['messaging.batch.message_count'] : 1),
          0,
        );
        if (cronSpan) {
          const ledger = ledgerFromSpans(spans, { extraSubrequestsPerInvocation: EXPORT_SUBREQUESTS });
          const cron = ledger.invocations.filter((i) => i.kind === 'cron');
          if (cron.length !== 1) throw new Error(`expected one cron invocation among the tick's spans, found ${cron.length}`);
          subrequests = cron[0].subrequests;
          kvCalls = ledger.kvReads + ledger.kvWrites + ledger.kvDeletes + ledger.kvLists;
          messagesSent = ledger.queueMessages;
        }
        return {
          zips: size,
          subrequests,
          subrequestTarget: Math.ceil(size / MESSAGES_PER_SEND_BATCH) + SUBREQUEST_ALLOWANCE,
          kvCalls,
          sendBatchCalls: batches.length,
          sendCalls: sends.length - batches.length,
          messagesSent,
          delivered,
          tickMs,
          cronSpanMs: cronSpan?.durationMs ?? null,
          allDeliveredMs,
          spans: spans.length,
          exports: traces.length,
          exportBytes: traces.reduce((n, p) => n + p.bytes, 0),
        };
      }
    } finally {
      await stack.stop();
    }
  } finally {
    await stopReceiver();
  }
}

const n = (x: number) => x.toLocaleString('en-US');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function tickRows(all: Array<TickFigure | TickError>): Row[] {
  const rows: Row[] = [];
  const figures = all.filter((f): f is TickFigure => !('error' in f));
  for (const failed of all.filter((f): f is TickError => 'error' in f)) {
    rows.push({ figure: `cron tick, ${n(failed.zips)} ZIPs`, measured: `ERROR: ${failed.error}`, target: 'a tick within ≤ 5 min', met: false, how: '' });
  }
  for (const f of figures) {
    const lost = f.zips - f.delivered.zips;
    rows.push(
      {
        figure: `cron tick, ${n(f.zips)} ZIPs: subrequests`,
        measured:
          f.subrequests === null
            ? `NOT COUNTED: the cron span never arrived (${n(f.spans)} spans did: at least ${n(f.kvCalls)} KV, ${n(f.sendBatchCalls)} sendBatch + ${n(f.sendCalls)} send)`
            : `${n(f.subrequests)} (${n(f.kvCalls)} KV, ${n(f.sendBatchCalls)} sendBatch + ${n(f.sendCalls)} send, 1 export POST)`,
        target: `≤ ${n(f.subrequestTarget)} (ceil(N/100)+15); Free ${PRICES.free.subrequestsPerInvocation}`,
        met: f.subrequests === null ? false : f.subrequests <= f.subrequestTarget,
        how: "at receiver: the cron invocation's KV and queue send spans (bench/lib/ledger.ts) + the export POST",
      },
      {
        figure: `cron tick, ${n(f.zips)} ZIPs: ZIPs lost`,
        measured: `${n(lost)} (${n(f.delivered.zips)} delivered, ${n(f.delivered.duplicates)} duplicates, ${n(f.delivered.invalid)} invalid; ${n(f.messagesSent)} sent)`,
        target: '0',
        met: lost === 0 && f.delivered.duplicates === 0 && f.delivered.invalid === 0,
        how: 'a probe worker, the only fetch-jobs consumer, counts the fetch jobs by ZIP (bench/variants/tick-probe.ts)',
      },
      {
        figure: `cron tick, ${n(f.zips)} ZIPs: wall time`,
        measured: `${s(f.tickMs)} (cron span ${f.cronSpanMs === null ? 'missing' : s(f.cronSpanMs)}; all delivered at ${Number.isFinite(f.allDeliveredMs) ? s(f.allDeliveredMs) : 'never'}); ${n(f.spans)} spans in ${n(f.exports)} export(s), ${(f.exportBytes / 1e6).toFixed(2)} MB`,
        target: '≤ 5 min (a third of 15)',
        met: f.tickMs <= TICK_TARGET_MS,
        how: "outside worker: Node clock around the scheduled call through the probe's service binding; spans and bytes at receiver",
      },
    );
  }
  const [a, b] = [figures.find((f) => f.zips === 1_000) ?? figures.at(-2), figures.at(-1)];
  if (a && b && a !== b) {
    const ratio = (x: number, y: number) => `${(y / x).toFixed(1)}×`;
    rows.push({
      figure: `cron tick: growth ${n(a.zips)} → ${n(b.zips)} ZIPs (${ratio(a.zips, b.zips)})`,
      measured:
        (a.subrequests !== null && b.subrequests !== null
          ? `subrequests ${n(a.subrequests)} → ${n(b.subrequests)} (${ratio(a.subrequests, b.subrequests)}), `
          : 'subrequests not counted at both sizes, ') +
        `ZIPs delivered ${n(a.delivered.zips)} → ${n(b.delivered.zips)}, wall ${s(a.tickMs)} → ${s(b.tickMs)} (${ratio(a.tickMs, b.tickMs)}), ` +
        `spans ${n(a.spans)} → ${n(b.spans)} (${ratio(a.spans, b.spans)}), export bytes ${ratio(a.exportBytes, b.exportBytes)}`,
      target: '—',
      met: null,
      how: 'the rows above',
    });
  }
  return rows;
}
