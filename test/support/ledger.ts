/**
 * The cost ledger: billable Cloudflare operations counted from the spans of a run.
 * Pure (no Node or workerd APIs), so the bench (spans from the OTLP receiver) and the workers-pool
 * test (spans from the in-memory exporter) count with the same code. The test checks these counts
 * against a counting wrapper around the real bindings, so a binding call without a span, or an
 * operation this file classifies wrongly, fails it.
 *
 * What it reads (src/otel/: kv.ts, r2.ts, queue-producer.ts, queue-consumer.ts, fetch.ts): KV and R2
 * CLIENT spans by their `db.system.name` and `db.operation.name` (their names are the key's template,
 * `put run:{id}`), `send <queue>` (PRODUCER, or CLIENT beside per-message `create` spans), `process <queue>` (CONSUMER),
 * HTTP client spans (CLIENT with `http.request.method`), server spans (SERVER), `cron <expr>`,
 * `scheduled run` (linked to its cron span).
 */

export type LedgerSpanKind = 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';

/** What the ledger needs of a span: the OTLP receiver's ReceivedSpan has this shape. */
export interface LedgerSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: LedgerSpanKind;
  serviceName: string;
  attributes: Record<string, unknown>;
  links?: ReadonlyArray<{ traceId: string; spanId: string; attributes?: Record<string, unknown> }>;
}

/** Operation counts per kind, as the ledger and the counting wrapper both report them. */
export interface OperationCounts {
  kvReads: number;
  kvWrites: number;
  kvDeletes: number;
  kvLists: number;
  /** R2 put and list (Class A on https://developers.cloudflare.com/r2/pricing/). */
  r2ClassA: number;
  /** R2 get and head (Class B). */
  r2ClassB: number;
  /** R2 delete: a free operation, counted so nothing goes unseen. */
  r2Free: number;
  /** Messages sent to a queue (a sendBatch of n is n messages). */
  queueMessages: number;
  /** fetch() calls to the outside (HTTP client spans). */
  httpFetches: number;
}

export interface Ledger extends OperationCounts {
  /**
   * Billable queue operations: per message sent, ceil(size / 64 KB) × 3 (write, read, delete;
   * 1 KB = 1,000 bytes, plus ~100 bytes of metadata per message, as the Queues pricing page says),
   * plus one read per redelivery seen (a `process` span with attempts > 1).
   */
  queueOps: number;
  /** Invocations: one per HTTP request, cron tick and queue batch. */
  workerRequests: number;
  /** The most subrequests (fetch + binding calls) in one invocation, plus `extraSubrequestsPerInvocation`. */
  subrequestsMax: number;
  /** Per invocation: what it was and its subrequests (`external`: those that are fetches, not Cloudflare bindings), for the raw figures. */
  invocations: Array<{ service: string; kind: 'http' | 'cron' | 'queue'; name: string; subrequests: number; external: number }>;
}

/** The counts Cloudflare bills per run: what the prices (prices.ts) and the results (cost.ts) are about. */
export type Billable = Pick<Ledger, 'kvReads' | 'kvWrites' | 'kvDeletes' | 'kvLists' | 'r2ClassA' | 'r2ClassB' | 'queueOps' | 'workerRequests'>;

export interface LedgerOptions {
  /** Subrequests no span shows, per invocation (the bench passes 1: the OTLP export POST). */
  extraSubrequestsPerInvocation?: number;
}

const QUEUE_BILLING_UNIT_BYTES = 64_000;
const QUEUE_METADATA_BYTES = 100;
const ATTR_BODY_SIZE = 'messaging.message.body.size';
const ATTR_BATCH_BODY_SIZES = 'messaging.cloudflare_queues.batch.body_sizes';
const ATTR_BATCH_COUNT = 'messaging.batch.message_count';
const ATTR_ATTEMPTS = 'messaging.cloudflare_queues.message.attempts';
const ATTR_INVOCATION_ID = 'faas.invocation_id';
const ATTR_HTTP_METHOD = 'http.request.method';
const ATTR_DB_SYSTEM = 'db.system.name';
const ATTR_DB_OPERATION = 'db.operation.name';
const CRON_LINK = 'cron_invocation';

const KV_OPERATIONS: Record<string, keyof OperationCounts> = {
  get: 'kvReads',
  getWithMetadata: 'kvReads',
  put: 'kvWrites',
  delete: 'kvDeletes',
  list: 'kvLists',
};
const R2_OPERATIONS: Record<string, keyof OperationCounts> = {
  put: 'r2ClassA',
  list: 'r2ClassA',
  get: 'r2ClassB',
  head: 'r2ClassB',
  delete: 'r2Free',
};
/** The price classes of each storage system (`db.system.name` of the binding spans). */
const DB_OPERATIONS: Record<string, Record<string, keyof OperationCounts>> = {
  cloudflare_kv: KV_OPERATIONS,
  cloudflare_r2: R2_OPERATIONS,
};

export function emptyCounts(): OperationCounts {
  return { kvReads: 0, kvWrites: 0, kvDeletes: 0, kvLists: 0, r2ClassA: 0, r2ClassB: 0, r2Free: 0, queueMessages: 0, httpFetches: 0 };
}

/** Queue billing units of one message of `bytes` bytes. */
export function queueUnits(bytes: number): number {
  return Math.max(1, Math.ceil((bytes + QUEUE_METADATA_BYTES) / QUEUE_BILLING_UNIT_BYTES));
}

/** The message sizes a `send <queue>` span reports (an error names the span when it reports none). */
function sentSizes(span: LedgerSpan): number[] {
  const sizes = span.attributes[ATTR_BATCH_BODY_SIZES];
  if (Array.isArray(sizes)) return sizes.map(Number);
  const size = span.attributes[ATTR_BODY_SIZE];
  if (typeof size === 'number') return [size];
  throw new Error(`ledger: span "${span.name}" (${span.serviceName}) has neither ${ATTR_BODY_SIZE} nor ${ATTR_BATCH_BODY_SIZES}`);
}

/** The operation a span stands for, or null for spans that are not billable operations. */
function classify(span: LedgerSpan): keyof OperationCounts | 'send' | null {
  const system = span.attributes[ATTR_DB_SYSTEM];
  const table = typeof system === 'string' ? DB_OPERATIONS[system] : undefined;
  if (span.kind === 'CLIENT' && table) {
    const operation = span.attributes[ATTR_DB_OPERATION];
    const kind = typeof operation === 'string' ? table[operation] : undefined;
    // A new operation must be priced here before it is counted: never guess its class.
    if (!kind) throw new Error(`ledger: no price class for span "${span.name}" (${span.serviceName}, ${String(system)} ${String(operation)})`);
    return kind;
  }
  // A send is PRODUCER when it is its messages' creation context, CLIENT when `create` spans are (queue-producer.ts).
  if ((span.kind === 'PRODUCER' || span.kind === 'CLIENT') && span.name.startsWith('send ')) return 'send';
  if (span.kind === 'CLIENT' && typeof span.attributes[ATTR_HTTP_METHOD] === 'string') return 'httpFetches';
  return null;
}

/** Whether a span is a KV list (a cron tick's own lists are shared by all its ZIPs). */
export function isKvList(span: LedgerSpan): boolean {
  return span.kind === 'CLIENT' && span.attributes[ATTR_DB_SYSTEM] === 'cloudflare_kv' && span.attributes[ATTR_DB_OPERATION] === 'list';
}

type InvocationKind = Ledger['invocations'][number]['kind'];

function invocationRoot(span: LedgerSpan): { key: string; kind: InvocationKind } | null {
  if (span.kind === 'CONSUMER' && span.name.startsWith('process ')) {
    // One queue invocation delivers a batch: its messages' spans share the invocation id.
    const id = span.attributes[ATTR_INVOCATION_ID];
    return { key: `${span.serviceName}/queue/${typeof id === 'string' ? id : span.spanId}`, kind: 'queue' };
  }
  if (span.kind === 'SERVER') return { key: `${span.serviceName}/http/${span.spanId}`, kind: 'http' };
  if (span.name.startsWith('cron ')) return { key: `${span.serviceName}/cron/${span.spanId}`, kind: 'cron' };
  return null;
}

/**
 * Counts the billable operations of the given spans (one run: all its traces, all services).
 * Every span must belong to an invocation (a server, cron or queue-message span above it, or a
 * `scheduled run` linked to its cron span); one that does not is an error, not a silent zero.
 */
export function ledgerFromSpans(spans: readonly LedgerSpan[], options: LedgerOptions = {}): Ledger {
  const byId = new Map(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  const cache = new Map<LedgerSpan, { key: string; kind: InvocationKind; name: string; service: string }>();
  const invocationOf = (span: LedgerSpan): { key: string; kind: InvocationKind; name: string; service: string } => {
    const cached = cache.get(span);
    if (cached) return cached;
    const root = invocationRoot(span);
    let found: { key: string; kind: InvocationKind; name: string; service: string } | undefined;
    if (root) found = { ...root, name: span.name, service: span.serviceName };
    else {
      const cronLink = span.links?.find((l) => l.attributes?.['weather_landscape.link'] === CRON_LINK);
      const next = cronLink
        ? byId.get(`${cronLink.traceId}/${cronLink.spanId}`)
        : span.parentSpanId
          ? byId.get(`${span.traceId}/${span.parentSpanId}`)
          : undefined;
      if (!next) {
        throw new Error(
          `ledger: span "${span.name}" (${span.serviceName}, trace ${span.traceId}) belongs to no invocation among the spans given ` +
            `(its ${cronLink ? 'cron span' : 'parent'} is missing)`,
        );
      }
      found = invocationOf(next);
    }
    cache.set(span, found);
    return found;
  };

  const counts = emptyCounts();
  let queueOps = 0;
  const invocations = new Map<string, { service: string; kind: InvocationKind; name: string; subrequests: number; external: number }>();
  for (const span of spans) {
    const invocation = invocationOf(span);
    const entry = invocations.get(invocation.key) ?? { service: invocation.service, kind: invocation.kind, name: invocation.name, subrequests: 0, external: 0 };
    invocations.set(invocation.key, entry);
    const attempts = span.attributes[ATTR_ATTEMPTS];
    if (span.kind === 'CONSUMER' && typeof attempts === 'number' && attempts > 1) queueOps += 1;
    const kind = classify(span);
    if (kind === null) continue;
    entry.subrequests += 1;
    if (kind === 'httpFetches') entry.external += 1;
    if (kind === 'send') {
      const sizes = sentSizes(span);
      const declared = span.attributes[ATTR_BATCH_COUNT];
      if (typeof declared === 'number' && declared !== sizes.length) {
        throw new Error(`ledger: span "${span.name}" sends ${declared} messages but reports ${sizes.length} sizes`);
      }
      counts.queueMessages += sizes.length;
      queueOps += sizes.reduce((n, bytes) => n + 3 * queueUnits(bytes), 0);
    } else counts[kind] += 1;
  }
  const extra = options.extraSubrequestsPerInvocation ?? 0;
  // The extra ones (the export POST) are fetches to the outside too.
  const list = [...invocations.values()].map((i) => ({ ...i, subrequests: i.subrequests + extra, external: i.external + extra }));
  return {
    ...counts,
    queueOps,
    workerRequests: list.length,
    subrequestsMax: Math.max(0, ...list.map((i) => i.subrequests)),
    invocations: list,
  };
}
