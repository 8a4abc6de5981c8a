import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CADENCES_MINUTES, DEFAULT_CADENCE_MINUTES, runsPerDay } from '../src/domain/cadence.mjs';
import { FORMAT_NAMES } from '../src/domain/formats';
import type { ReceivedSpan } from '../src/otel/testing';
import { boundMedian, boundP95, CRON_ZIPS, FREE_PLAN_CPU_MS, type CpuMeasurement } from './cost-cpu';
import type { Bundler } from './lib/bundles';
import { isKvList, ledgerFromSpans, type Billable, type Ledger } from '../test/support/ledger';
import { freePlanCapacity, paidMonth, PRICES, type Usage } from './lib/prices';
import { startStackSession, type StackSession } from './lib/stack-session';
import { settledSpans } from './lib/settle';
import type { FigureResult, Row } from './table';

/**
 * Figure: what a run costs on the Cloudflare bill. On the real local stack (its own: wrangler dev,
 * four workers, tracing on, OTLP to the bench's receiver), the spans of one run, all services,
 * counted by test/support/ledger.ts (checked against the bindings by test/workers/<worker>/ledger.test.ts):
 * an admin "Generate now" and a scheduled run of ONE active ZIP with all five formats, after a
 * warm-up run (geocode cached); the first-ever run is reported apart. That pages stay bounded as
 * ZIPs grow is asserted by test/workers/web/page-cost.test.ts (1,000 ZIPs), and the cron tick's
 * growth is the cron-tick figure's (bench/cron-tick.ts): neither is measured again here.
 * CPU per invocation comes from cost-cpu.ts (the `cpu-per-invocation` figure's measurement, tracing
 * on: an upper bound; the local runtime does not report its own cpuTime).
 */
const ZIP = '76100';
// wrangler dev's trigger endpoint (Miniflare's unsafeTriggerHandlers); /__scheduled needs the middleware wrangler bundles in, and the stack runs prebuilt bundles.
const CRON_PATH = '/cdn-cgi/handler/scheduled?cron=*/15+*+*+*+*';
const RUN_TIMEOUT_MS = 60_000;
/** The OTLP export POST each invocation makes (InvocationSpanProcessor): a subrequest no span shows. */
const EXPORT_SUBREQUESTS = 1;

/** One run's line of `cost` in results.json. */
export interface RunLedger extends Billable {
  subrequestsMax: number;
  cpuMsMax: number;
}

/** Per trace: how many messages of each pipeline queue were acked, kept up to date as exports arrive (O(new spans)). */
class RunProgress {
  private readonly acked = new Map<string, { fetch: number; weather: number; landscape: number }>();
  readonly scheduledRuns = new Set<string>();
  cronSeen = false;
  private readonly stop: () => void;

  constructor(session: StackSession) {
    this.stop = session.receiver.onSpans((spans) => {
      for (const s of spans) {
        if (s.name === 'scheduled run') this.scheduledRuns.add(s.traceId);
        if (s.name.startsWith('cron ')) this.cronSeen = true;
        if (s.kind !== 'CONSUMER' || s.attributes['messaging.cloudflare_queues.outcome'] !== 'ack') continue;
        const entry = this.acked.get(s.traceId) ?? { fetch: 0, weather: 0, landscape: 0 };
        if (s.name === 'process fetch-jobs') entry.fetch += 1;
        else if (s.name === 'process weather-ready') entry.weather += 1;
        else if (s.name === 'process landscape-jobs') entry.landscape += 1;
        this.acked.set(s.traceId, entry);
      }
    });
  }

  /** A whole run's trace is in: the fetch, the dispatch and one generator message per format acked. */
  complete(traceId: string): boolean {
    const e = this.acked.get(traceId);
    return !!e && e.fetch >= 1 && e.weather >= 1 && e.landscape >= FORMAT_NAMES.length;
  }

  close(): void {
    this.stop();
  }
}

function settled(session: StackSession, done: () => boolean, what: string, timeoutMs = RUN_TIMEOUT_MS): Promise<ReceivedSpan[]> {
  return settledSpans(session.receiver, done, what, timeoutMs);
}

async function adminRun(session: StackSession): Promise<Ledger> {
  session.receiver.clear();
  const progress = new RunProgress(session);
  try {
    const res = await session.stack.admin(`/admin/generate?zip=${ZIP}`);
    const body = await res.json<{ trace_id?: string }>();
    if (res.status !== 202 || !body.trace_id) throw new Error(`POST /admin/generate answered ${res.status}: ${JSON.stringify(body)}`);
    const traceId = body.trace_id;
    const spans = await settled(session, () => progress.complete(traceId), 'admin run');
    return ledgerFromSpans(
      spans.filter((s) => s.traceId === traceId),
      { extraSubrequestsPerInvocation: EXPORT_SUBREQUESTS },
    );
  } finally {
    progress.close();
  }
}

/** One cron tick through wrangler dev's trigger endpoint; returns its spans once every active ZIP's run is complete. */
async function cronTick(session: StackSession, zips: number): Promise<ReceivedSpan[]> {
  session.receiver.clear();
  const progress = new RunProgress(session);
  try {
    const res = await fetch(`${session.stack.baseUrl}${CRON_PATH}`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${CRON_PATH} answered ${res.status}`);
    const done = () => progress.cronSeen && progress.scheduledRuns.size >= zips && [...progress.scheduledRuns].every((t) => progress.complete(t));
    return await settled(session, done, `cron tick with ${zips} ZIPs`);
  } finally {
    progress.close();
  }
}

function toRunLedger(ledger: Ledger, cpuMsMax: number): RunLedger {
  const { kvReads, kvWrites, kvDeletes, kvLists, r2ClassA, r2ClassB, queueOps, workerRequests, subrequestsMax } = ledger;
  return { kvReads, kvWrites, kvDeletes, kvLists, r2ClassA, r2ClassB, queueOps, workerRequests, subrequestsMax, cpuMsMax };
}

// JSON has no Infinity: a limit this run does not touch at all says so.
const perLimitJson = (perLimit: Record<string, number>) =>
  Object.fromEntries(Object.entries(perLimit).map(([k, v]) => [k, Number.isFinite(v) ? v : 'not used']));

/** The two limits that would bind next after `binding`, with the ZIP counts they allow. */
function nextLimits(perLimit: Record<string, number>, binding: string): string {
  return Object.entries(perLimit)
    .filter(([name, zips]) => name !== binding && Number.isFinite(zips))
    .sort((a, b) => a[1] - b[1])
    .slice(0, 2)
    .map(([name, zips]) => `${name} ${zips}`)
    .join(', ');
}

const fmtLedger = (l: RunLedger) =>
  `KV ${l.kvReads} reads / ${l.kvWrites} writes / ${l.kvDeletes} deletes / ${l.kvLists} lists; R2 ${l.r2ClassA} A / ${l.r2ClassB} B; ` +
  `queue ${l.queueOps} ops; ${l.workerRequests} requests; ≤ ${l.subrequestsMax} subrequests; CPU ≤ ${l.cpuMsMax} ms`;

/** Batches of this size stand for a run's queue invocations (production's max_batch_size). */
const CPU_BATCH_SIZE = 10;

export async function benchCost(
  bundler: Bundler,
  tmpRoot: string,
  options: { quick: boolean },
  measureCpu: () => Promise<CpuMeasurement>,
): Promise<FigureResult> {
  const log = (m: string) => console.error(`[bench] cost: ${m}`);
  log('CPU per invocation (Miniflare, tracing on; shared with the cpu-per-invocation figure)…');
  const cpu = await measureCpu();
  // The upper bound of cost-cpu.ts (the workerd process's CPU where /proc has it, else wall time), tracing on.
  const side = (id: string) => {
    const c = cpu.cases.find((x) => x.id === id);
    if (!c) throw new Error(`no CPU case ${id}`);
    return c.on;
  };
  const cpuP95 = (id: string) => boundP95(side(id));
  const cpuMedian = (id: string) => boundMedian(side(id));

  log('starting its own local stack…');
  const dir = join(tmpRoot, 'cost');
  mkdirSync(dir, { recursive: true });
  const session = await startStackSession(bundler, dir);
  try {
    for (const path of [
      `/admin/activate?zip=${ZIP}`,
      ...FORMAT_NAMES.filter((f) => f !== 'rgb_light').map((f) => `/admin/formats/add?zip=${ZIP}&format=${f}`),
    ]) {
      const res = await session.stack.admin(path);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    }
    log('first-ever admin run, then a steady one…');
    const firstAdmin = await adminRun(session);
    const admin = await adminRun(session);
    log('scheduled run (one active ZIP)…');
    const scheduledSpans = await cronTick(session, 1);
    const scheduled = ledgerFromSpans(scheduledSpans, { extraSubrequestsPerInvocation: EXPORT_SUBREQUESTS });
    const cronOwnSpans = scheduledSpans.filter(
      (s) => s.name.startsWith('cron ') || (s.parentSpanId && scheduledSpans.some((p) => p.spanId === s.parentSpanId && p.name.startsWith('cron '))),
    );

    // CPU of a run: the most any of its invocations took (p95 of a 10-message batch: an upper bound for a run's smaller batches).
    const cpuMsMaxRun = Math.max(cpuP95('fetcher-10'), cpuP95('dispatcher-10'), cpuP95('generator-10'));
    const adminRunLedger = toRunLedger(admin, Math.max(cpuMsMaxRun, cpuP95('web-generate')));
    const scheduledRunLedger = toRunLedger(scheduled, Math.max(cpuMsMaxRun, cpuP95('web-cron')));

    // Per ZIP-run vs. per cron tick: the tick's own invocation (1 request) and its KV list(s) are
    // shared by all ZIPs; the rest of the scheduled run (its reads, sends, the pipeline) is per ZIP.
    const tickLists = cronOwnSpans.filter(isKvList).length;
    const perTick: Usage = {
      kvReads: 0,
      kvWrites: 0,
      kvDeletes: 0,
      kvLists: tickLists,
      r2ClassA: 0,
      r2ClassB: 0,
      queueOps: 0,
      workerRequests: 1,
      cpuMs: cpuMedian('web-cron'),
    };
    // CPU per ZIP-run for the bill: the median batch time per message, for the one fetch, one dispatch and five renders of a run.
    const cpuPerZipRun =
      cpuMedian('fetcher-10') / CPU_BATCH_SIZE +
      cpuMedian('dispatcher-10') / CPU_BATCH_SIZE +
      (FORMAT_NAMES.length * cpuMedian('generator-10')) / CPU_BATCH_SIZE;
    // In production a queue invocation carries up to 10 messages (max_batch_size) of many ZIPs; the local stack's measured
    // batches are smaller, so the requests measured per run are an upper bound. The derivation uses them as measured.
    const perZipRun: Usage = {
      kvReads: scheduled.kvReads,
      kvWrites: scheduled.kvWrites,
      kvDeletes: scheduled.kvDeletes,
      kvLists: scheduled.kvLists - tickLists,
      r2ClassA: scheduled.r2ClassA,
      r2ClassB: scheduled.r2ClassB,
      queueOps: scheduled.queueOps,
      workerRequests: scheduled.workerRequests - 1,
      cpuMs: cpuPerZipRun,
    };
    // The same measured per-run counts at each cadence deploy allows (CRON_CADENCE_MINUTES): fewer runs a day, more ZIPs.
    const byCadence = CADENCES_MINUTES.map((minutes) => ({
      minutes,
      runsPerDay: runsPerDay(minutes),
      ...freePlanCapacity(perZipRun, perTick, runsPerDay(minutes)),
    }));
    const capacity = byCadence.find((c) => c.minutes === DEFAULT_CADENCE_MINUTES)!;
    const paid = paidMonth(1000, perZipRun, perTick);

    const rows: Row[] = [
      {
        figure: 'cost: scheduled ZIP-run (5 formats, 1 active ZIP)',
        measured: fmtLedger(scheduledRunLedger),
        target: '≤ 1 KV write',
        met: scheduledRunLedger.kvWrites <= 1,
        how: "on the stack: spans of the cron trace + the ZIP's run trace, all services (test/support/ledger.ts); the whole cron tick is this one ZIP's share",
      },
      {
        figure: 'cost: admin run (5 formats, steady state)',
        measured: fmtLedger(adminRunLedger),
        target: '≤ 6 KV writes',
        met: adminRunLedger.kvWrites <= 6,
        how: "on the stack: spans of the run's trace after a warm-up run (geocode cached)",
      },
      {
        figure: 'cost: first-ever admin run',
        measured: fmtLedger(toRunLedger(firstAdmin, adminRunLedger.cpuMsMax)),
        target: '—',
        met: null,
        how: "same, the ZIP's first run (geocode not cached)",
      },
      ...byCadence.map((c): Row => ({
        figure: `cost: Free plan capacity (${c.minutes}-min cron, 5 formats)`,
        measured: `${c.maxZips} ZIPs; binds first: ${c.bindingLimit}; then ${nextLimits(c.perLimit, c.bindingLimit)}`,
        target: '—',
        met: null,
        how: `per ZIP-run × ${c.runsPerDay}/day + per tick, against each daily limit (prices ${PRICES.date}); CRON_CADENCE_MINUTES=${c.minutes}`,
      })),
      {
        figure: 'cost: 1,000 ZIPs on Workers Paid',
        measured: `$${paid.usd.toFixed(2)} / month`,
        target: '—',
        met: null,
        how: '$5 base + usage over the included amounts, 30-day month; storage not counted',
      },
    ];
    const cost = {
      scheduledRun: scheduledRunLedger,
      adminRun: adminRunLedger,
      freePlanMaxZips: capacity.maxZips,
      freePlanBindingLimit: capacity.bindingLimit,
      /** The same at each cadence CRON_CADENCE_MINUTES allows (15 is the default, the two lines above). */
      freePlanByCadence: Object.fromEntries(byCadence.map((c) => [c.minutes, { maxZips: c.maxZips, bindingLimit: c.bindingLimit }])),
      paidUsdPer1000ZipsMonth: paid.usd,
      prices: { free: PRICES.free, paid: PRICES.paid, source: PRICES.source, date: PRICES.date },
    };
    const raw = {
      cost,
      firstAdminRun: toRunLedger(firstAdmin, adminRunLedger.cpuMsMax),
      invocations: { adminRun: admin.invocations, scheduledRun: scheduled.invocations },
      counts: { adminRun: admin, scheduledRun: scheduled },
      perZipRun,
      perTick,
      perLimitZips: perLimitJson(capacity.perLimit),
      perLimitZipsByCadence: Object.fromEntries(byCadence.map((c) => [c.minutes, perLimitJson(c.perLimit)])),
      paidLines: paid.lines,
      // The CPU cases themselves are the cpu-per-invocation figure's raw (raw['cpu-per-invocation']); here only what cost used.
      cpu: {
        batchSize: CPU_BATCH_SIZE,
        cronZips: CRON_ZIPS,
        boundFrom: cpu.boundFrom,
        runtimeReportsCpuTime: cpu.runtime.reported,
        overFreeLimitByBound: cpu.cases.filter((c) => boundP95(c.on) > FREE_PLAN_CPU_MS).map((c) => c.id),
      },
    };
    return { rows, raw, top: { cost } };
  } finally {
    await session.stop();
  }
}
