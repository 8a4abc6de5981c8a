import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../support/image-decode';
import { startOtlpReceiver, type OtlpReceiver, type ReceiverMode } from '../../src/otel/testing';
import { assertNoConfigReload, crashLines, logsNamed, parseLogLines, queueTotals, type LogLine } from '../support/stack-logs';
import { startWeatherStub, type StubFault, type WeatherStub } from '../support/weather-stub';
import { startZipRouter, type ZipRouter } from '../support/zip-router';
import { startStack, waitFor, type Stack } from './stack';

/**
 * Fault injection against the real `npm start` stack (four workers, local queues, KV, R2), with
 * tracing on to a local OTLP receiver. Each weather case has a ZIP and a weather stub of its own
 * behind a per-ZIP router, so all weather cases run at the same time; the OTLP receiver is one
 * for the stack, so its cases run one after the other, after the weather cases.
 *
 * Every case asserts its END STATE (processed, retried then processed, or dead-lettered with its
 * reason), and the last test checks that no batch was lost to a thrown handler: every message
 * wrangler delivered is accounted for by an ack or one of our own retry decisions.
 * The fault matrix (expected vs observed) goes to test-results/fault-matrix.md.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const WEATHER_TIMEOUT_MS = 1500;
const EXPORT_TIMEOUT_MS = 1000;

let fallback: WeatherStub;
let router: ZipRouter;
let receiver: OtlpReceiver;
let stack: Stack;
const caseStubs: WeatherStub[] = [];

/** One row of the fault matrix per case; `observed` is filled from what the test saw. */
const matrix: Array<{ name: string; expected: string; observed?: string }> = [];
function row(name: string, expected: string) {
  const entry: { name: string; expected: string; observed?: string } = { name, expected };
  matrix.push(entry);
  return entry;
}

/** Every generate request of this file: its ZIP and trace (each run's messages carry that trace). */
const runs: Array<{ zip: string; traceId: string; expect: 'processed' | 'dead_letter' }> = [];

beforeAll(async () => {
  fallback = await startWeatherStub();
  router = await startZipRouter(fallback.url);
  receiver = await startOtlpReceiver();
  stack = await startStack({
    OPEN_METEO_GEOCODING_URL: router.url,
    OPEN_METEO_FORECAST_URL: router.url,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORT_TIMEOUT_MS: String(EXPORT_TIMEOUT_MS),
    WEATHER_TIMEOUT_MS: String(WEATHER_TIMEOUT_MS),
  });
});

// A second `npm start` anywhere in the checkout silently reconfigures this stack: say so, rather than fail obscurely.
afterEach(() => assertNoConfigReload(stack.lines));

afterAll(async () => {
  const table = [
    '| case | expected end state | observed end state |',
    '|---|---|---|',
    ...matrix.map((r) => `| ${r.name} | ${r.expected} | ${(r.observed ?? 'not observed (the case did not finish)').replaceAll('|', '\\|')} |`),
  ].join('\n');
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  writeFileSync(join(ROOT, 'test-results', 'fault-matrix.md'), `# Fault matrix\n\n${table}\n`);
  console.log(`\nFault matrix (test-results/fault-matrix.md):\n\n${table}\n`);
  await stack?.stop();
  await receiver?.close();
  await router?.close();
  await Promise.all([fallback, ...caseStubs].map((s) => s?.close()));
});

const logs = (message: string): LogLine[] => logsNamed(stack.lines, message);
const ofTrace = (lines: LogLine[], traceId: string) => lines.filter((l) => l.trace_id === traceId);

async function generate(zip: string): Promise<string> {
  const res = await stack.admin(`/admin/generate?zip=${zip}`);
  expect(res.status).toBe(202);
  const { trace_id } = await res.json<{ trace_id: string }>();
  expect(trace_id).toMatch(/^[0-9a-f]{32}$/);
  return trace_id;
}

async function imageStatus(zip: string): Promise<number> {
  const res = await fetch(`${stack.baseUrl}/${zip}/rgb_light.png`);
  await res.arrayBuffer();
  return res.status;
}

interface DlqEntry {
  id: string;
  queue: string;
  reason: string;
  error_type: string;
  attempts: number;
  trace_id: string;
  body: Record<string, unknown>;
}

async function deadLetters(): Promise<DlqEntry[]> {
  const res = await fetch(`${stack.baseUrl}/admin/dlq`, { headers: { authorization: `Bearer ${stack.token}` } });
  expect(res.status).toBe(200);
  return (await res.json<{ dead_letters: DlqEntry[] }>()).dead_letters;
}

// ---------------------------------------------------------------------------
// Weather API faults

type Expected = { kind: 'processed'; retries: number; errorType: string } | { kind: 'dead_letter'; errorType: string; reason: RegExp };

interface WeatherCase {
  name: string;
  zip: string;
  fault: StubFault;
  expected: Expected;
  /** A 429's Retry-After: every retry delay must be at least this. */
  minDelaySeconds?: number;
}

interface WeatherObservation {
  traceId: string;
  kind: 'processed' | 'dead_letter';
  /** Deliveries the weather API saw (each delivery makes one request on the faulted path until it succeeds). */
  deliveries: number;
  retries: LogLine[];
  deadLettered: LogLine[];
  recorded: LogLine[];
  dlq?: DlqEntry;
  imageStatus: number;
  imageBytes?: Uint8Array;
}

const GAVE_UP = /^gave up after 4 attempts: /;
const WEATHER_CASES: WeatherCase[] = [
  {
    name: 'weather API 500, transient (2 faults)',
    zip: '71001',
    fault: { kind: '500', times: 2 },
    expected: { kind: 'processed', retries: 2, errorType: 'WeatherApiError' },
  },
  {
    name: 'weather API 500, persistent',
    zip: '71002',
    fault: { kind: '500' },
    expected: { kind: 'dead_letter', errorType: 'WeatherApiError', reason: /HTTP 500/ },
  },
  {
    name: 'weather API 429 + Retry-After: 3, transient (1 fault, forecast only)',
    zip: '71003',
    fault: { kind: '429', times: 1, retryAfterSeconds: 3, path: 'forecast' },
    expected: { kind: 'processed', retries: 1, errorType: 'WeatherApiError' },
    minDelaySeconds: 3,
  },
  {
    name: 'weather API 429 + Retry-After: 2, persistent',
    zip: '71004',
    fault: { kind: '429', retryAfterSeconds: 2 },
    expected: { kind: 'dead_letter', errorType: 'WeatherApiError', reason: /HTTP 429/ },
    minDelaySeconds: 2,
  },
  {
    name: `weather API hangs (timeout ${WEATHER_TIMEOUT_MS} ms), transient (1 fault)`,
    zip: '71005',
    fault: { kind: 'hang', times: 1 },
    expected: { kind: 'processed', retries: 1, errorType: 'WeatherApiError' },
  },
  {
    name: `weather API hangs (timeout ${WEATHER_TIMEOUT_MS} ms), persistent`,
    zip: '71006',
    fault: { kind: 'hang' },
    expected: { kind: 'dead_letter', errorType: 'WeatherApiError', reason: new RegExp(`timed out after ${WEATHER_TIMEOUT_MS} ms`) },
  },
  {
    name: 'weather API garbage JSON, transient (2 faults, forecast only)',
    zip: '71007',
    fault: { kind: 'garbage', times: 2, path: 'forecast' },
    expected: { kind: 'processed', retries: 2, errorType: 'WeatherResponseError' },
  },
  {
    name: 'weather API garbage JSON, persistent',
    zip: '71008',
    fault: { kind: 'garbage' },
    expected: { kind: 'dead_letter', errorType: 'WeatherResponseError', reason: /body is not JSON/ },
  },
];

function expectedText(c: WeatherCase): string {
  const e = c.expected;
  if (e.kind === 'processed') return `retried ${e.retries}× (${e.errorType}), then processed: image served`;
  return `dead-lettered after 4 deliveries: ${e.errorType}, reason "gave up after 4 attempts: …${e.reason.source.replaceAll('\\', '')}…", listed in /admin/dlq`;
}

/** A log line's field as text: a string as it is, anything else as JSON. */
const fieldText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function observedText(o: WeatherObservation): string {
  const retryTypes = [...new Set(o.retries.map((r) => r.error_type))].join(', ') || 'none';
  const delays = o.retries.map((r) => `${fieldText(r.delay_seconds)}s`).join(', ');
  const retried = `retried ${o.retries.length}× (${retryTypes}${delays ? `; delays ${delays}` : ''})`;
  if (o.kind === 'processed') return `${retried}, then processed after ${o.deliveries} deliveries: image ${o.imageStatus}`;
  const letter = o.deadLettered[0];
  const reason = fieldText(letter?.reason ?? '').slice(0, 110);
  return `${retried}, then dead-lettered after ${fieldText(letter?.attempts)} deliveries: ${fieldText(letter?.error_type)}, reason "${reason}"; /admin/dlq: ${o.dlq ? 'listed' : 'missing'}; image ${o.imageStatus}`;
}

async function observeWeatherCase(c: WeatherCase, traceId: string): Promise<WeatherObservation> {
  const kind = await waitFor(
    `${c.name} to settle`,
    async () => {
      if (ofTrace(logs('dead letter recorded'), traceId).length > 0) return 'dead_letter' as const;
      return (await imageStatus(c.zip)) === 200 ? ('processed' as const) : undefined;
    },
    60_000,
    300,
  );
  if (kind === 'processed') {
    await waitFor(`${c.name}: image stored log`, async () => (ofTrace(logs('image stored'), traceId).length > 0 ? true : undefined));
  }
  const dlq = kind === 'dead_letter' ? (await deadLetters()).find((d) => d.trace_id === traceId) : undefined;
  const image = await fetch(`${stack.baseUrl}/${c.zip}/rgb_light.png`);
  const imageBytes = image.status === 200 ? new Uint8Array(await image.arrayBuffer()) : (await image.arrayBuffer(), undefined);
  return {
    traceId,
    kind,
    deliveries: Math.max(router.requestsFor(c.zip, 'geocoding').length, router.requestsFor(c.zip, 'forecast').length),
    retries: ofTrace(logs('queue message failed; retrying'), traceId),
    deadLettered: ofTrace(logs('queue message dead-lettered'), traceId),
    recorded: ofTrace(logs('dead letter recorded'), traceId),
    dlq,
    imageStatus: image.status,
    imageBytes,
  };
}

describe('weather API faults (all cases at once, one ZIP and stub each)', () => {
  const observations = new Map<string, Promise<WeatherObservation>>();

  beforeAll(async () => {
    for (const c of WEATHER_CASES) {
      const stub = await startWeatherStub();
      caseStubs.push(stub);
      stub.setFault(c.fault);
      router.route(c.zip, { target: stub.url });
    }
    // Start every run before waiting for any: the retries' backoff overlaps.
    const started = await Promise.all(WEATHER_CASES.map((c) => generate(c.zip)));
    WEATHER_CASES.forEach((c, i) => {
      runs.push({ zip: c.zip, traceId: started[i], expect: c.expected.kind });
      const observation = observeWeatherCase(c, started[i]);
      observation.catch(() => undefined); // awaited (and reported) by the case's own test
      observations.set(c.name, observation);
    });
  });

  for (const c of WEATHER_CASES) {
    const entry = row(c.name, expectedText(c));
    it(`${c.name} → ${c.expected.kind === 'processed' ? 'retried, then processed' : 'dead-lettered with its reason'}`, async () => {
      const o = await observations.get(c.name)!;
      entry.observed = observedText(o);
      const e = c.expected;
      expect(o.kind).toBe(e.kind);
      // Each retry was our consumer's decision (logged), with the failure's type and a backoff delay.
      for (const r of o.retries) {
        expect(r).toMatchObject({ service: 'weather-fetcher', queue: 'fetch-jobs', error_type: e.errorType });
        expect(Number(r.delay_seconds)).toBeGreaterThanOrEqual(c.minDelaySeconds ?? 1);
        expect(Number(r.delay_seconds)).toBeLessThanOrEqual(Math.max(c.minDelaySeconds ?? 0, 2 ** Number(r.attempts)));
      }
      expect(o.retries.map((r) => r.attempts)).toEqual(o.retries.map((_, i) => i + 1));
      if (e.kind === 'processed') {
        expect(o.retries).toHaveLength(e.retries);
        expect(o.deliveries).toBe(e.retries + 1);
        expect(o.deadLettered).toEqual([]);
        expect(o.recorded).toEqual([]);
        expect(o.imageStatus).toBe(200);
        expect([decodePng(o.imageBytes!).width, decodePng(o.imageBytes!).height]).toEqual([296, 128]);
      } else {
        expect(o.retries).toHaveLength(3);
        expect(o.deliveries).toBe(4);
        expect(o.deadLettered).toHaveLength(1);
        const letter = o.deadLettered[0];
        expect(letter).toMatchObject({ service: 'weather-fetcher', queue: 'fetch-jobs', attempts: 4, error_type: e.errorType });
        expect(String(letter.reason)).toMatch(GAVE_UP);
        expect(String(letter.reason)).toMatch(e.reason);
        // Through the real fetch-jobs-dlq, the web worker recorded it once, with the same reason.
        expect(o.recorded).toHaveLength(1);
        expect(o.recorded[0]).toMatchObject({ queue: 'fetch-jobs', error_type: e.errorType, reason: letter.reason });
        expect(o.dlq).toMatchObject({ queue: 'fetch-jobs', attempts: 4, error_type: e.errorType, reason: letter.reason, trace_id: o.traceId });
        expect(o.dlq!.body).toMatchObject({ schema_version: 1, zip_code: c.zip, trigger: 'admin' });
        expect(o.dlq!.body).not.toHaveProperty('_otel');
        expect(o.imageStatus).toBe(404);
      }
    });
  }
});

// ---------------------------------------------------------------------------
// OTLP receiver faults: the pipeline must not notice

interface OtlpCase {
  name: string;
  mode: ReceiverMode;
  delayMs?: number;
  zip: string;
  /** What the warning must say of the cause (checked for the first fault, which every worker tells). */
  error: RegExp;
}

const OTLP_CASES: OtlpCase[] = [
  // Refused, or (on a busy machine) timed out before workerd gave up on the connection.
  { name: 'OTLP receiver down', mode: 'down', zip: '72001', error: /nothing accepted the connection|timed out/ },
  {
    name: `OTLP receiver slow (answers after 4000 ms > OTEL_EXPORT_TIMEOUT_MS ${EXPORT_TIMEOUT_MS})`,
    mode: 'slow',
    delayMs: 4000,
    zip: '72002',
    error: /timed out|connection/i,
  },
  { name: 'OTLP receiver answers 500', mode: 'fail500', zip: '72003', error: /HTTP 5\d\d/ },
];
const SERVICES = ['weather-landscape-web', 'weather-fetcher', 'job-dispatcher', 'landscape-generator'];

describe('OTLP receiver faults (one at a time)', () => {
  // Failed exports are told at most once a minute per worker isolate, naming the cause: the first
  // fault makes every worker say it; the ones right after it stay quiet (counted, not logged) until
  // the minute is over. Each case keeps its fault on until the web worker has told it, with its
  // cause: every image request is a traced request of the web worker, so each one exports (and fails).
  const exportWarnings = (from: number) =>
    parseLogLines(stack.lines.slice(from)).filter((l) => typeof l.message === 'string' && l.message.startsWith('span export to '));
  let firstMark = -1;
  let firstAt = 0;

  for (const c of OTLP_CASES) {
    const entry = row(
      c.name,
      `processed, image served; the export failure told once a minute by each of the ${SERVICES.length} workers, with its cause; no retry, no dead letter`,
    );
    it(
      `${c.name} → images still produced, export failure told with its cause`,
      async () => {
        await receiver.setMode(c.mode, { delayMs: c.delayMs });
        const mark = stack.lines.length;
        if (firstMark < 0) [firstMark, firstAt] = [mark, Date.now()];
        const postsBefore = receiver.posts.length;
        try {
          const traceId = await generate(c.zip);
          runs.push({ zip: c.zip, traceId, expect: 'processed' });
          await waitFor(`${c.zip} image`, async () => ((await imageStatus(c.zip)) === 200 ? true : undefined), 20_000, 200);
          const retries = ofTrace(logs('queue message failed; retrying'), traceId);
          const dead = ofTrace(logs('queue message dead-lettered'), traceId);
          const stored = ofTrace(logs('image stored'), traceId);
          const status = await imageStatus(c.zip);
          if (mark === firstMark) {
            // Every worker has told an export failure within the last minute: this fault, or, on a busy
            // machine, an export that timed out shortly before it.
            const recently = (l: LogLine) => Date.parse(String(l.time)) >= firstAt - 60_000;
            const warnings = await waitFor(
              'an export failure warning from all four workers within the minute',
              async () => {
                const lines = exportWarnings(0).filter(recently);
                return SERVICES.every((s) => lines.some((l) => l.service === s)) ? lines : undefined;
              },
              20_000,
              200,
            ).catch((error: Error) => {
              const seen = exportWarnings(0).map((l) => `${String(l.time)} ${String(l.service)}: ${String(l.message).slice(0, 90)}`);
              throw new Error(`${error.message}; export warnings in the stack's log:\n${seen.join('\n') || '(none)'}`);
            });
            for (const w of warnings) {
              expect(w.level).toBe('warn');
              expect(String(w.message)).toMatch(/npm run trace-view.*OTEL_SDK_DISABLED=true/);
            }
          }
          // This fault's own cause, told by the web worker once its quiet minute is over (at once for
          // the first fault). Each probe is a traced image request: one more failed export.
          const told = await waitFor(
            `the web worker's warning naming the cause of "${c.name}"`,
            async () => {
              await imageStatus(c.zip);
              return exportWarnings(mark).find((w) => w.service === 'weather-landscape-web' && c.error.test(String(w.message)));
            },
            90_000,
            1_000,
          ).catch((error: Error) => {
            const seen = exportWarnings(mark).map((l) => `${String(l.time)} ${String(l.service)}: ${String(l.message).slice(0, 120)}`);
            throw new Error(`${error.message}; export warnings since the fault began:\n${seen.join('\n') || '(none)'}`);
          });
          expect(told.level).toBe('warn');
          // Told at most once a minute per worker since the first fault.
          const allowed = 1 + Math.floor((Date.now() - firstAt) / 60_000);
          for (const service of SERVICES) expect(exportWarnings(firstMark).filter((w) => w.service === service).length, service).toBeLessThanOrEqual(allowed);
          entry.observed = `${stored.length > 0 ? 'processed' : 'NOT processed'}, image ${status}; the web worker told: "${String(told.message).slice(0, 120)}…"; ${retries.length} retries, ${dead.length} dead letters`;
          expect(status).toBe(200);
          expect(stored).toHaveLength(1);
          expect(retries).toEqual([]);
          expect(dead).toEqual([]);
          // What the receiver saw of the fault: nothing while down; the exports, held or refused, otherwise.
          const posts = receiver.posts.slice(postsBefore);
          if (c.mode === 'down') expect(posts).toEqual([]);
          else expect(posts.length).toBeGreaterThan(0);
          if (c.mode === 'fail500') expect(posts.map((p) => p.status)).toEqual(posts.map(() => 500));
        } finally {
          await receiver.setMode('ok');
        }
      },
      // The cause waits out the quiet minute of the fault before it.
      180_000,
    );
  }

  it('exports again once the receiver is back', async () => {
    await receiver.setMode('ok');
    const traceId = await generate('72004');
    runs.push({ zip: '72004', traceId, expect: 'processed' });
    await receiver.waitForSpans((spans) => spans.some((s) => s.traceId === traceId && s.name === 'process landscape-jobs'), 15_000);
  });
});

// ---------------------------------------------------------------------------
// Accounting over the whole file

describe('no message lost', () => {
  // Runs of its own, so that the accounting checks something even when this test runs alone: one
  // that is processed, and one dead-lettered at once (a ZIP the stub does not know: a permanent error).
  const OWN_RUNS: Array<{ zip: string; expect: 'processed' | 'dead_letter' }> = [
    { zip: '73001', expect: 'processed' },
    { zip: '30001', expect: 'dead_letter' },
  ];
  beforeAll(async () => {
    for (const own of OWN_RUNS) runs.push({ ...own, traceId: await generate(own.zip) });
  });

  it('no batch was lost to a thrown handler, and every message is accounted for', async () => {
    // Let every run of the file end (and its invocations log): a processed run's image stored, a
    // dead letter carried through fetch-jobs-dlq and recorded by the web worker.
    const ended = (run: (typeof runs)[number]) => ofTrace(logs(run.expect === 'processed' ? 'image stored' : 'dead letter recorded'), run.traceId).length > 0;
    const settled = () => {
      const totals = queueTotals(stack.lines);
      const landscape = totals.get('landscape-jobs')?.acked ?? 0;
      const deadLettered = logs('queue message dead-lettered').length;
      const done =
        runs.every(ended) &&
        landscape >= runs.filter((r) => r.expect === 'processed').length &&
        (totals.get('fetch-jobs-dlq')?.acked ?? 0) >= deadLettered &&
        logs('dead letter recorded').length >= deadLettered;
      return done ? totals : undefined;
    };
    const totals = await waitFor('every run of the file to end, and its last batches and dead letters', async () => settled(), 60_000, 200);
    expect(runs.map((r) => r.expect)).toEqual(expect.arrayContaining(['processed', 'dead_letter']));

    // No uncaught exception in a handler, nothing dead-lettered or dropped by the runtime itself.
    expect(crashLines(stack.lines)).toEqual([]);

    // Every message wrangler did not see acked was one our consumer decided to retry, and logged.
    const retryLines = logs('queue message failed; retrying');
    for (const queue of ['fetch-jobs', 'weather-ready', 'landscape-jobs']) {
      const t = queueTotals(stack.lines).get(queue) ?? { acked: 0, retried: 0, batches: 0 };
      expect({ queue, retried: t.retried }).toEqual({ queue, retried: retryLines.filter((l) => l.queue === queue).length });
    }

    // Every acked fetch job either stored weather or was dead-lettered; each run exactly one of them.
    const fetchAcked = queueTotals(stack.lines).get('fetch-jobs')?.acked ?? 0;
    const stored = logs('weather fetched');
    const deadLettered = logs('queue message dead-lettered');
    expect(fetchAcked).toBeGreaterThanOrEqual(runs.length);
    expect(fetchAcked).toBe(stored.length + deadLettered.filter((l) => l.queue === 'fetch-jobs').length);
    for (const run of runs) {
      const outcome = {
        zip: run.zip,
        weather_stored: ofTrace(stored, run.traceId).length,
        dead_lettered: ofTrace(deadLettered, run.traceId).length,
        images_stored: ofTrace(logs('image stored'), run.traceId).length,
      };
      expect(outcome).toEqual(
        run.expect === 'processed'
          ? { zip: run.zip, weather_stored: 1, dead_lettered: 0, images_stored: 1 }
          : { zip: run.zip, weather_stored: 0, dead_lettered: 1, images_stored: 0 },
      );
    }
    // Each dead letter went through fetch-jobs-dlq and was recorded exactly once.
    expect(deadLettered.length).toBeGreaterThan(0);
    expect(totals.get('fetch-jobs-dlq')?.acked ?? 0).toBe(deadLettered.length);
    expect(logs('dead letter recorded')).toHaveLength(deadLettered.length);
    expect((await deadLetters()).length).toBe(deadLettered.length);
    // Dead-lettered messages stay dead: the weather API saw no delivery after the one that dead-lettered it.
    for (const run of runs.filter((r) => r.expect === 'dead_letter')) {
      const letter = ofTrace(deadLettered, run.traceId)[0];
      expect({ zip: run.zip, deliveries: router.requestsFor(run.zip, 'geocoding').length }).toEqual({ zip: run.zip, deliveries: Number(letter.attempts) });
    }
  });
});
