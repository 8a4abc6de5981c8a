import { startOtlpReceiver, type OtlpReceiver } from '../src/otel/testing';
import type { Bundle, Bundler } from './lib/bundles';
import { track } from './lib/cleanup';
import { startQueueWorker } from './lib/miniflare-worker';
import { benchZip, toMessages, withCarrier } from './lib/queue-messages';
import { median, round, sleep, sum } from './lib/stats';
import type { FigureResult, Row } from './table';

/**
 * Figure 2: what exporting costs per invocation, counted at a local OTLP receiver, for ONE
 * 10-message weather-ready batch whose messages come from 10 different traces. Ours
 * (InvocationSpanProcessor: everything in one POST) vs. otel-cf-workers' default
 * BatchTraceSpanProcessor (one POST per trace), built from bench/variants/.
 */
const BATCH_SIZE = 10;
const TARGET_POSTS = 1;
const VARIANT_ENTRY = 'bench/variants/dispatcher-default-processor.ts';
/** A batch's exports are complete once no POST arrived for this long. */
const SETTLE_MS = 500;
const SETTLE_TIMEOUT_MS = 10_000;

interface BatchCount {
  posts: number;
  bytes: number;
  spans: number;
  postBytes: number[];
}

export interface ExportRaw {
  variant: 'ours' | 'default';
  processor: string;
  batchSize: number;
  traces: number;
  batches: BatchCount[];
  postsPerInvocation: number;
  spansPerInvocation: number;
  bytesPerInvocation: number;
  bytesPerSpan: number;
}

async function settledPosts(receiver: OtlpReceiver): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let seen = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    if (receiver.posts.length !== seen) {
      seen = receiver.posts.length;
      stableSince = Date.now();
    } else if (seen > 0 && Date.now() - stableSince >= SETTLE_MS) return;
    await sleep(25);
  }
}

function batchBodies() {
  return Array.from({ length: BATCH_SIZE }, (_, i) =>
    withCarrier({ schema_version: 1, zip_code: benchZip(75000, i), lat: 30.27, lon: -97.74, fetched_at: new Date().toISOString() }, true),
  );
}

async function measure(variant: ExportRaw['variant'], processor: string, bundle: Bundle, receiver: OtlpReceiver, batches: number): Promise<ExportRaw> {
  const worker = await startQueueWorker(bundle, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  try {
    // Warm-up batch: the isolate's first invocation also builds the tracer provider.
    await worker.queue('weather-ready', toMessages(batchBodies(), 'warm'));
    await settledPosts(receiver);
    const counts: BatchCount[] = [];
    for (let b = 0; b < batches; b++) {
      receiver.clear();
      const result = await worker.queue('weather-ready', toMessages(batchBodies(), `b${b}`));
      if (result.explicitAcks.length !== BATCH_SIZE) throw new Error(`${variant}: batch not fully acked\n${worker.recentLogs().slice(-5).join('\n')}`);
      await settledPosts(receiver);
      const posts = receiver.posts.filter((p) => p.path === '/v1/traces');
      counts.push({
        posts: posts.length,
        bytes: sum(posts.map((p) => p.bytes)),
        spans: sum(posts.map((p) => p.spanCount)),
        postBytes: posts.map((p) => p.bytes),
      });
    }
    receiver.clear();
    const totalBytes = sum(counts.map((c) => c.bytes));
    const totalSpans = sum(counts.map((c) => c.spans));
    return {
      variant,
      processor,
      batchSize: BATCH_SIZE,
      traces: BATCH_SIZE,
      batches: counts,
      postsPerInvocation: median(counts.map((c) => c.posts)),
      spansPerInvocation: median(counts.map((c) => c.spans)),
      bytesPerInvocation: median(counts.map((c) => c.bytes)),
      bytesPerSpan: round(totalBytes / totalSpans, 1),
    };
  } finally {
    await worker.dispose();
  }
}

export async function benchExportCost(bundler: Bundler, options: { quick: boolean }): Promise<FigureResult> {
  const batches = options.quick ? 1 : 3;
  const receiver = await startOtlpReceiver();
  const closeReceiver = track('OTLP receiver (export cost)', () => receiver.close());
  try {
    const ours = await measure('ours', 'InvocationSpanProcessor (src/otel/span-processor.ts)', await bundler.worker('dispatcher'), receiver, batches);
    const fallback = await measure(
      'default',
      'otel-cf-workers BatchTraceSpanProcessor',
      await bundler.variant('dispatcher-default-processor', 'dispatcher', VARIANT_ENTRY),
      receiver,
      batches,
    );
    const how = `at receiver: POSTs and wire bytes for one ${BATCH_SIZE}-msg batch, ${BATCH_SIZE} traces (median of ${batches})`;
    const describe = (r: ExportRaw) => `${r.postsPerInvocation} POST(s), ${r.spansPerInvocation} spans, ${r.bytesPerInvocation} B, ${r.bytesPerSpan} B/span`;
    const rows: Row[] = [
      {
        figure: 'export cost: ours (InvocationSpanProcessor)',
        measured: describe(ours),
        target: `${TARGET_POSTS} POST`,
        met: ours.postsPerInvocation <= TARGET_POSTS,
        how,
      },
      { figure: 'export cost: otel-cf-workers default', measured: describe(fallback), target: '— (comparison)', met: null, how },
    ];
    return { rows, raw: [ours, fallback] };
  } finally {
    await closeReceiver();
  }
}
