import { startOtlpReceiver, type OtlpReceiver } from '../src/otel/testing';
import { FIXTURES } from '../test/fixtures/forecasts';
import { FORMAT_NAMES } from '../src/domain/formats';
import type { Bundle, Bundler } from './lib/bundles';
import { track } from './lib/cleanup';
import { startOtlpRelay, type OtlpRelay } from './lib/otlp-relay';
import { startQueueWorker, type QueueMessageInput, type QueueWorker } from './lib/miniflare-worker';
import { benchZip, toMessages, withCarrier } from './lib/queue-messages';
import { median, medianInterval, round } from './lib/stats';
import { fmtMs, type FigureResult, type Row } from './table';

/**
 * Figure 1: wall time of one 100-message queue batch with tracing on vs. off, for the dispatcher
 * (weather-ready) and the generator (landscape-jobs). Same bundle, three Miniflare instances per
 * block: one with OTEL_SDK_DISABLED=true, one exporting to a local OTLP receiver (through a relay
 * that answers at once, see lib/otlp-relay.ts), one exporting at sampling 0.1. Timed in Node
 * around `Fetcher.queue()`, which resolves only after the invocation's waitUntil work, i.e. after
 * the span export POST has been answered: building and sending the export is part of the traced
 * time, as in production.
 */
export const BATCH_SIZE = 100;
/** Issue 13: tracing may cost at most 5 % on a generator batch and 15 % on a dispatcher batch, also at sampling 0.1. */
const TARGET_RATIO: Record<Case['worker'], number> = { generator: 1.05, dispatcher: 1.15 };
/** Head sampling of the third variant: as with OTEL_TRACES_SAMPLER_ARG=0.1, one run in ten was sampled upstream. */
const SAMPLED_RATIO = 0.1;
/**
 * The rounds are split into blocks, each with fresh Miniflare instances. Two runs of the same code
 * minutes apart gave a dispatcher ratio of 1.03 and of 1.32, each with a within-run 95 % interval of
 * about ±0.08 (2026-11-29): a run's figure depends on the instances and the machine's state more
 * than the per-round interval says. Blocks spread the rounds over three sets of instances and over
 * time, and the per-block ratios printed beside the figure show that spread.
 */
const BLOCKS = 3;
const ROUNDS_PER_BLOCK = 10;

export interface Case {
  worker: 'dispatcher' | 'generator';
  queue: 'weather-ready' | 'landscape-jobs';
  /** The batch: everything the handler reads rides in the bodies (the forecast too), so nothing is seeded. */
  bodies(): object[];
}

const DISPATCH_ZIP_BASE = 73000;
const GENERATE_ZIP_BASE = 74000;
const FIXTURE_NAMES = Object.keys(FIXTURES);

function forecastFor(i: number) {
  return FIXTURES[FIXTURE_NAMES[i % FIXTURE_NAMES.length]];
}

export const CASES: Case[] = [
  {
    worker: 'dispatcher',
    queue: 'weather-ready',
    // No formats configured (no `formats:{zip}:*` keys): each ZIP gets the default (rgb_light only), one job per message.
    bodies: () =>
      Array.from({ length: BATCH_SIZE }, (_, i) => {
        const f = forecastFor(i);
        // As the fetcher sends it: the forecast in the body (~4.5 KB), which the dispatcher copies into each job.
        return {
          schema_version: 1,
          zip_code: benchZip(DISPATCH_ZIP_BASE, i),
          lat: f.location.lat,
          lon: f.location.lon,
          fetched_at: f.source.fetchedAt,
          forecast: f,
        };
      }),
  },
  {
    worker: 'generator',
    queue: 'landscape-jobs',
    // 20 ZIPs × 5 formats = 100 jobs, each ZIP with a different fixture forecast. Each round stores
    // over the last round's image (same weather time, so the head + conditional put stores again:
    // the same work every round).
    bodies: () => {
      const enqueuedAt = new Date().toISOString();
      return Array.from({ length: BATCH_SIZE }, (_, i) => {
        const z = Math.floor(i / FORMAT_NAMES.length);
        const f = forecastFor(z);
        return {
          schema_version: 1,
          zip_code: benchZip(GENERATE_ZIP_BASE, z),
          format_name: FORMAT_NAMES[i % FORMAT_NAMES.length],
          lat: f.location.lat,
          lon: f.location.lon,
          fetched_at: f.source.fetchedAt,
          enqueued_at: enqueuedAt,
          forecast: f,
        };
      });
    },
  },
];

export interface OverheadRaw {
  worker: string;
  batchSize: number;
  /** Warm-up rounds in each block. */
  warmupRounds: number;
  /** Blocks of fresh Miniflare instances (see BLOCKS). */
  blocks: number;
  /** Timed rounds, all blocks together. */
  rounds: number;
  offMs: number[];
  onMs: number[];
  medianOffMs: number;
  medianOnMs: number;
  /** Median of all on rounds / median of all off rounds: the figure held against the target. */
  ratio: number;
  /** The same ratio in each block alone: how much a run's figure depends on the instances it got. */
  blockRatios: number[];
  /** Median of the per-round on/off ratios: less sensitive to drift than the ratio of medians. */
  medianPairedRatio: number;
  /**
   * 95 % confidence interval of that median (order statistics) from this run's rounds. On a 2-core
   * VM whose speed changes from second to second, one round's ratio ranges from about 0.94 to 1.44
   * (10th-90th percentile of 180 dispatcher rounds), so 30 rounds place the median only within about
   * ±0.08; and it does not cover what differs between runs (see BLOCKS, blockRatios).
   */
  pairedRatioInterval: [number, number];
  addedMsPerMessage: number;
  /** Tracing on at OTEL_TRACES_SAMPLER_ARG=0.1: unsampled spans are still recorded (kept if they fail), so this is not free. */
  sampledTenthMs: number[];
  medianSampledTenthMs: number;
  sampledTenthRatio: number;
  sampledTenthBlockRatios: number[];
  sampledTenthPairedRatio: number;
  /** OTLP POSTs seen at the receiver per traced batch (expected 1). */
  postsPerTracedBatch: number[];
  spansPerTracedBatch: number[];
}

async function timeBatch(worker: QueueWorker, c: Case, messages: QueueMessageInput[]): Promise<number> {
  const start = performance.now();
  const result = await worker.queue(c.queue, messages);
  const elapsed = performance.now() - start;
  // A batch that failed or retried did different work: its time would be meaningless.
  if (result.outcome !== 'ok' || result.retryMessages.length > 0 || result.explicitAcks.length !== messages.length) {
    throw new Error(
      `${c.worker}: batch not fully acked (outcome ${result.outcome}, acked ${result.explicitAcks.length}/${messages.length}, ` +
        `retried ${result.retryMessages.length})\n${worker.recentLogs().slice(-5).join('\n')}`,
    );
  }
  return elapsed;
}

interface BlockTimes {
  offMs: number[];
  onMs: number[];
  tenthMs: number[];
  posts: number[];
  spans: number[];
}

/**
 * One block: the bundle loaded into three fresh Miniflare instances (off, on, at 0.1), warmed up,
 * then `rounds` ABBA rounds, then disposed.
 */
async function measureBlock(
  c: Case,
  bundle: Bundle,
  receiver: OtlpReceiver,
  relay: OtlpRelay,
  warmupRounds: number,
  rounds: number,
  block: number,
): Promise<BlockTimes> {
  const receiverUrl = relay.url;
  const off = await startQueueWorker(bundle, { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl });
  try {
    const on = await startQueueWorker(bundle, { OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl });
    const tenth = await startQueueWorker(bundle, { OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, OTEL_TRACES_SAMPLER_ARG: String(SAMPLED_RATIO) });
    try {
      const times: BlockTimes = { offMs: [], onMs: [], tenthMs: [], posts: [], spans: [] };
      let batchNo = 0;
      const id = (variant: string) => `${variant}-${block}-${batchNo++}`;
      const runOff = async () =>
        timeBatch(
          off,
          c,
          toMessages(
            c.bodies().map((b) => withCarrier(b, false)),
            id('off'),
          ),
        );
      const runOn = async () => {
        const postsBefore = receiver.posts.length;
        const elapsed = await timeBatch(
          on,
          c,
          toMessages(
            c.bodies().map((b) => withCarrier(b, true)),
            id('on'),
          ),
        );
        // The receiver decodes after the timed call; wait for it so it never overlaps the next batch.
        await relay.drained();
        const batchPosts = receiver.posts.slice(postsBefore);
        times.posts.push(batchPosts.length);
        times.spans.push(batchPosts.reduce((n, p) => n + p.spanCount, 0));
        receiver.clear();
        return elapsed;
      };
      // Every tenth message carries a sampled context, the rest an unsampled one (the root's decision travels).
      const runTenth = async () => {
        const bodies = c.bodies().map((b, i) => withCarrier(b, true, i % Math.round(1 / SAMPLED_RATIO) === 0));
        const elapsed = await timeBatch(tenth, c, toMessages(bodies, id('tenth')));
        await relay.drained();
        receiver.clear();
        return elapsed;
      };
      for (let i = 0; i < warmupRounds; i++) {
        await runOff();
        await runOn();
        await runTenth();
      }
      times.posts.length = 0;
      times.spans.length = 0;
      // ABBA interleaving: slow drift of the machine (thermal, other tenants) hits both sides equally.
      for (let i = 0; i < rounds; i++) {
        if (i % 2 === 0) {
          times.offMs.push(await runOff());
          times.onMs.push(await runOn());
          times.tenthMs.push(await runTenth());
        } else {
          times.tenthMs.push(await runTenth());
          times.onMs.push(await runOn());
          times.offMs.push(await runOff());
        }
      }
      return times;
    } finally {
      await tenth.dispose();
      await on.dispose();
    }
  } finally {
    await off.dispose();
  }
}

async function measureCase(c: Case, bundler: Bundler, receiver: OtlpReceiver, relay: OtlpRelay, quick: boolean): Promise<OverheadRaw> {
  const bundle = await bundler.worker(c.worker);
  const blocks = quick ? 1 : BLOCKS;
  const warmupRounds = quick ? 2 : 4;
  const roundsPerBlock = quick ? 6 : ROUNDS_PER_BLOCK;
  const measured: BlockTimes[] = [];
  for (let block = 0; block < blocks; block++) measured.push(await measureBlock(c, bundle, receiver, relay, warmupRounds, roundsPerBlock, block));
  const all = (key: keyof BlockTimes) => measured.flatMap((times) => times[key]);
  const offMs = all('offMs');
  const onMs = all('onMs');
  const tenthMs = all('tenthMs');
  const medianOffMs = median(offMs);
  const medianOnMs = median(onMs);
  const medianTenthMs = median(tenthMs);
  // Rounds pair up within each block (the blocks' arrays are joined in the same order).
  const pairedRatios = onMs.map((v, i) => v / offMs[i]);
  const blockRatio = (times: BlockTimes, key: 'onMs' | 'tenthMs') => round(median(times[key]) / median(times.offMs), 4);
  return {
    worker: c.worker,
    batchSize: BATCH_SIZE,
    warmupRounds,
    blocks,
    rounds: blocks * roundsPerBlock,
    offMs: offMs.map((v) => round(v)),
    onMs: onMs.map((v) => round(v)),
    medianOffMs: round(medianOffMs),
    medianOnMs: round(medianOnMs),
    ratio: round(medianOnMs / medianOffMs, 4),
    blockRatios: measured.map((times) => blockRatio(times, 'onMs')),
    medianPairedRatio: round(median(pairedRatios), 4),
    pairedRatioInterval: medianInterval(pairedRatios).map((v) => round(v, 4)) as [number, number],
    addedMsPerMessage: round((medianOnMs - medianOffMs) / BATCH_SIZE, 4),
    postsPerTracedBatch: all('posts'),
    spansPerTracedBatch: all('spans'),
    sampledTenthMs: tenthMs.map((v) => round(v)),
    medianSampledTenthMs: round(medianTenthMs),
    sampledTenthRatio: round(medianTenthMs / medianOffMs, 4),
    sampledTenthBlockRatios: measured.map((times) => blockRatio(times, 'tenthMs')),
    sampledTenthPairedRatio: round(median(tenthMs.map((v, i) => v / offMs[i])), 4),
  };
}

const fmtRatios = (ratios: number[]) => ratios.map((v) => v.toFixed(2)).join(' / ');

export async function benchTracingOverhead(bundler: Bundler, options: { quick: boolean }): Promise<FigureResult> {
  const receiver = await startOtlpReceiver();
  const closeReceiver = track('OTLP receiver (overhead)', () => receiver.close());
  try {
    const relay = await startOtlpRelay(receiver.url);
    const raws: OverheadRaw[] = [];
    try {
      for (const c of CASES) raws.push(await measureCase(c, bundler, receiver, relay, options.quick));
    } finally {
      await relay.close();
    }
    const rows: Row[] = raws.flatMap((r) => {
      const target = TARGET_RATIO[r.worker as Case['worker']];
      const tenthRow: Row = {
        figure: `tracing overhead at sampling ${SAMPLED_RATIO}: ${r.worker}`,
        measured:
          `${fmtMs(r.medianSampledTenthMs)} / off ${fmtMs(r.medianOffMs)} = ${r.sampledTenthRatio.toFixed(3)}× ` +
          `(paired ${r.sampledTenthPairedRatio.toFixed(3)}×; blocks ${fmtRatios(r.sampledTenthBlockRatios)})`,
        target: `ratio ≤ ${target.toFixed(2)}`,
        met: r.sampledTenthRatio <= target,
        how: 'same, OTEL_TRACES_SAMPLER_ARG=0.1 and one message in ten from a sampled run: unsampled spans are recorded, exported only if they fail',
      };
      return [
        {
          figure: `tracing overhead: ${r.worker} (${r.batchSize}-msg batch)`,
          measured:
            `on ${fmtMs(r.medianOnMs)} / off ${fmtMs(r.medianOffMs)} = ${r.ratio.toFixed(3)}× ` +
            `(${r.addedMsPerMessage >= 0 ? '+' : ''}${r.addedMsPerMessage.toFixed(3)} ms/msg; paired ${r.medianPairedRatio.toFixed(3)}×, ` +
            `95 % CI ${r.pairedRatioInterval[0].toFixed(2)}–${r.pairedRatioInterval[1].toFixed(2)}; blocks ${fmtRatios(r.blockRatios)})`,
          target: `ratio ≤ ${target.toFixed(2)}`,
          met: r.ratio <= target,
          how:
            `outside worker: Node timer around Miniflare queue() incl. span export, median of ${r.rounds} ABBA rounds ` +
            `in ${r.blocks} block(s) of fresh instances`,
        },
        tenthRow,
      ];
    });
    return { rows, raw: raws };
  } finally {
    await closeReceiver();
  }
}
