import type { Billable } from '../../test/support/ledger';
import { DEFAULT_CADENCE_MINUTES, runsPerDay } from '../../src/domain/cadence.mjs';

/**
 * Cloudflare's published prices and Free-plan limits the cost figure derives from. Read on
 * 2026-11-29 from the pages below (their source: github.com/cloudflare/cloudflare-docs). Prices
 * change: when they do, update this table, its date, and bench/README.md.
 */
export const PRICES = {
  source: [
    'https://developers.cloudflare.com/workers/platform/pricing/',
    'https://developers.cloudflare.com/workers/platform/limits/',
    'https://developers.cloudflare.com/kv/platform/pricing/',
    'https://developers.cloudflare.com/kv/platform/limits/',
    'https://developers.cloudflare.com/r2/pricing/',
    'https://developers.cloudflare.com/queues/platform/pricing/',
  ],
  date: '2026-11-29',
  free: {
    /** Per day unless said otherwise. */
    workerRequestsPerDay: 100_000,
    cpuMsPerInvocation: 10,
    subrequestsPerInvocation: 50,
    kvReadsPerDay: 100_000,
    kvWritesPerDay: 1_000,
    kvDeletesPerDay: 1_000,
    kvListsPerDay: 1_000,
    /** R2's free tier is monthly (1 M Class A, 10 M Class B); per day is /30. */
    r2ClassAPerMonth: 1_000_000,
    r2ClassBPerMonth: 10_000_000,
    queueOpsPerDay: 10_000,
  },
  paid: {
    baseUsdPerMonth: 5,
    includedWorkerRequests: 10_000_000,
    usdPerMillionWorkerRequests: 0.3,
    includedCpuMs: 30_000_000,
    usdPerMillionCpuMs: 0.02,
    includedKvReads: 10_000_000,
    usdPerMillionKvReads: 0.5,
    includedKvWrites: 1_000_000,
    usdPerMillionKvWrites: 5,
    includedKvDeletes: 1_000_000,
    usdPerMillionKvDeletes: 5,
    includedKvLists: 1_000_000,
    usdPerMillionKvLists: 5,
    includedR2ClassA: 1_000_000,
    usdPerMillionR2ClassA: 4.5,
    includedR2ClassB: 10_000_000,
    usdPerMillionR2ClassB: 0.36,
    includedQueueOps: 1_000_000,
    usdPerMillionQueueOps: 0.4,
  },
} as const;

/** The billable counts of one unit of work (a ZIP-run, a cron tick). */
export interface Usage extends Billable {
  cpuMs: number;
}

/** Cron runs a day at the default cadence (15 minutes); CRON_CADENCE_MINUTES may choose 30 or 60 (src/domain/cadence.mjs). */
export const RUNS_PER_DAY = runsPerDay(DEFAULT_CADENCE_MINUTES);
const DAYS_PER_MONTH = 30;

type DailyLimit = { name: string; perDay: number; of: (u: Usage) => number };
const DAILY_LIMITS: DailyLimit[] = [
  { name: 'Workers requests (100,000/day)', perDay: PRICES.free.workerRequestsPerDay, of: (u) => u.workerRequests },
  { name: 'KV reads (100,000/day)', perDay: PRICES.free.kvReadsPerDay, of: (u) => u.kvReads },
  { name: 'KV writes (1,000/day)', perDay: PRICES.free.kvWritesPerDay, of: (u) => u.kvWrites },
  { name: 'KV deletes (1,000/day)', perDay: PRICES.free.kvDeletesPerDay, of: (u) => u.kvDeletes },
  { name: 'KV lists (1,000/day)', perDay: PRICES.free.kvListsPerDay, of: (u) => u.kvLists },
  { name: 'R2 Class A (1 M/month)', perDay: PRICES.free.r2ClassAPerMonth / DAYS_PER_MONTH, of: (u) => u.r2ClassA },
  { name: 'R2 Class B (10 M/month)', perDay: PRICES.free.r2ClassBPerMonth / DAYS_PER_MONTH, of: (u) => u.r2ClassB },
  { name: 'Queues operations (10,000/day)', perDay: PRICES.free.queueOpsPerDay, of: (u) => u.queueOps },
];

export interface FreePlanCapacity {
  maxZips: number;
  bindingLimit: string;
  /** The ZIP count each limit allows on its own. */
  perLimit: Record<string, number>;
}

/**
 * The most ZIPs whose scheduled runs fit the Free plan's daily limits: for each limit,
 * floor((limit/day / runs a day − fixed per tick) / per ZIP-run), and the smallest of them
 * (96 runs a day at the default 15-minute cadence, 48 at 30, 24 at 60). The cron invocation's
 * subrequests, the one per-invocation limit that grows with the ZIP count, are the cron-tick figure's.
 */
export function freePlanCapacity(perZipRun: Usage, perTick: Usage, runsADay = RUNS_PER_DAY): FreePlanCapacity {
  const perLimit: Record<string, number> = {};
  for (const limit of DAILY_LIMITS) {
    const perZip = limit.of(perZipRun);
    const budget = limit.perDay / runsADay - limit.of(perTick);
    perLimit[limit.name] = perZip <= 0 ? (budget >= 0 ? Number.POSITIVE_INFINITY : 0) : Math.max(0, Math.floor(budget / perZip));
  }
  const [bindingLimit, maxZips] = Object.entries(perLimit).reduce((a, b) => (b[1] < a[1] ? b : a));
  return { maxZips, bindingLimit, perLimit };
}

export interface PaidMonth {
  usd: number;
  /** Dollars per line, and the monthly counts they come from. */
  lines: Record<string, { count: number; usd: number }>;
}

/** Workers Paid: the $5 base plus each usage over its included monthly amount (30-day month, 96 runs a day). */
export function paidMonth(zips: number, perZipRun: Usage, perTick: Usage): PaidMonth {
  const month = (of: (u: Usage) => number) => DAYS_PER_MONTH * RUNS_PER_DAY * (of(perZipRun) * zips + of(perTick));
  const p = PRICES.paid;
  const line = (count: number, included: number, usdPerMillion: number) => ({
    count: Math.round(count),
    usd: (Math.max(0, count - included) / 1e6) * usdPerMillion,
  });
  // Each billed line: its usage, what the plan includes a month, and the price per million beyond.
  const billed: Array<[keyof Usage, number, number]> = [
    ['workerRequests', p.includedWorkerRequests, p.usdPerMillionWorkerRequests],
    ['cpuMs', p.includedCpuMs, p.usdPerMillionCpuMs],
    ['kvReads', p.includedKvReads, p.usdPerMillionKvReads],
    ['kvWrites', p.includedKvWrites, p.usdPerMillionKvWrites],
    ['kvDeletes', p.includedKvDeletes, p.usdPerMillionKvDeletes],
    ['kvLists', p.includedKvLists, p.usdPerMillionKvLists],
    ['r2ClassA', p.includedR2ClassA, p.usdPerMillionR2ClassA],
    ['r2ClassB', p.includedR2ClassB, p.usdPerMillionR2ClassB],
    ['queueOps', p.includedQueueOps, p.usdPerMillionQueueOps],
  ];
  const lines: Record<string, { count: number; usd: number }> = {
    base: { count: 1, usd: p.baseUsdPerMonth },
    ...Object.fromEntries(
      billed.map(([key, included, usdPerMillion]) => [
        key,
        line(
          month((u) => u[key]),
          included,
          usdPerMillion,
        ),
      ]),
    ),
  };
  const usd = Object.values(lines).reduce((n, l) => n + l.usd, 0);
  return { usd: Math.round(usd * 100) / 100, lines };
}
