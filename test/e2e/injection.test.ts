import { randomBytes } from 'node:crypto';
import { serialize } from 'node:v8';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterBody } from '../../src/messages/dead-letter';
import { NodeBuffer } from '../support/node-buffer';
import { assertNoConfigReload, crashLines } from '../support/stack-logs';
import { writeInjectorConfig } from './injector/config';
import { INJECTED_QUEUES, injectionCases, ZIP, type InjectedQueue, type InjectionCase } from './injector/cases';
import { waitFor } from './stack';
import { closeTestbed, startTestbed, type Testbed } from './testbed';

/**
 * Raw bodies of every content type through the REAL local queues of the running stack: a
 * test-only injector worker (./injector/) in the same `wrangler dev` sends them with its own
 * producer bindings, in batches that mix malformed and valid messages. Every message must end
 * processed (its consumer logs the step, naming the body's run) or as exactly one dead letter in /admin/dlq naming the
 * problem; none may be lost, and no handler may throw.
 */
let bed: Testbed;
const admin = (path: string, init?: RequestInit) => bed.stack.admin(path, init);

interface Listed {
  id: string;
  queue: string;
  message_id: string;
  reason: string;
  error_type: string;
  body: unknown;
  replayable?: boolean;
  body_notes?: string[];
}

/** The log line a valid body of each queue leaves once processed (it names the body's run_id). */
const PROCESSED_LOG: Record<InjectedQueue, string[]> = {
  'fetch-jobs': ['weather fetched'],
  'weather-ready': ['landscape jobs dispatched'],
  'landscape-jobs': ['image stored', 'image skipped: a newer one is stored'],
};

const MAX_BATCH = 10;
const VALID_PER_BATCH = 3;
/** Below the 256 KB a sendBatch may carry. */
const MAX_BATCH_BYTES = 180_000;

function sizeOf(c: InjectionCase): number {
  if (c.contentType === 'v8') return serialize(c.body).byteLength;
  if (c.contentType === 'bytes') return (c.body as ArrayBuffer).byteLength;
  return NodeBuffer.byteLength(c.contentType === 'text' ? (c.body as string) : JSON.stringify(c.body));
}

/** Batches of up to 10: malformed bodies with valid ones among them, within the batch byte limit. */
function planBatches(cases: InjectionCase[]): number[][] {
  const malformed = cases.filter((c) => c.kind === 'malformed');
  const valid = cases.filter((c) => c.kind === 'valid');
  const batches: number[][] = [];
  let batch: number[] = [];
  let bytes = 0;
  const add = (c: InjectionCase) => {
    if (batch.length === MAX_BATCH || bytes + sizeOf(c) > MAX_BATCH_BYTES) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(c.index);
    bytes += sizeOf(c);
  };
  while (malformed.length > 0 || valid.length > 0) {
    for (const c of malformed.splice(0, MAX_BATCH - VALID_PER_BATCH)) add(c);
    for (const c of valid.splice(0, VALID_PER_BATCH)) add(c);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

async function inject(queue: InjectedQueue, seed: string, batches: number[][]): Promise<void> {
  const res = await fetch(`${bed.stack.baseUrl}/__injector/send`, { method: 'POST', body: JSON.stringify({ queue, seed, batches }) });
  expect(res.status, await res.clone().text()).toBe(200);
  expect((await res.json<{ sent: number }>()).sent).toBe(batches.flat().length);
}

async function deadLetters(): Promise<Listed[]> {
  const res = await bed.stack.admin('/admin/dlq', { method: 'GET' });
  expect(res.status).toBe(200);
  return (await res.json<{ dead_letters: Listed[] }>()).dead_letters;
}

/**
 * What in the stack's output would mean a message was mishandled: a thrown handler, a runtime
 * dead-letter or drop, a dead letter recorded only in short form or lost, any other error line.
 */
function troubleInLog(): string[] {
  const errors = bed.stack
    .logs()
    .filter((l) => l.level === 'error' && l.message !== 'queue message dead-lettered')
    .map((l) => `${String(l.service)}: ${String(l.message)}`);
  // wrangler prints a worker's console.error as "✘ [ERROR] {json}": those lines are judged above, as log lines.
  const wrangler = bed.stack.lines.filter((l) => /✘|\[ERROR\]/.test(l) && !l.includes('{"time"'));
  return [...crashLines(bed.stack.lines), ...errors, ...wrangler];
}

/** Per run id, the messages of the log lines that name it. */
function runEvents(): Record<string, string[]> {
  const runs: Record<string, string[]> = {};
  for (const line of bed.stack.logs()) if (typeof line.run_id === 'string') (runs[line.run_id] ??= []).push(String(line.message));
  return runs;
}

/**
 * The dead letters, indexed once per poll by the probes and run ids inside them and by their body,
 * so that looking up ~380 cases stays cheap (serializing every letter once per case took seconds).
 */
interface LetterIndex {
  letters: Listed[];
  byProbe: Map<string, Listed[]>;
  byBody: Map<string, Listed[]>;
  runIds: Set<string>;
}

function indexLetters(letters: Listed[]): LetterIndex {
  const index: LetterIndex = { letters, byProbe: new Map(), byBody: new Map(), runIds: new Set() };
  const add = (map: Map<string, Listed[]>, key: string, letter: Listed) => map.set(key, [...(map.get(key) ?? []), letter]);
  for (const letter of letters) {
    const json = JSON.stringify(letter.body);
    for (const probe of new Set(json.match(/~[0-9a-f]{16}:[a-z-]+:\d+~/g) ?? [])) add(index.byProbe, probe, letter);
    for (const runId of json.match(/[0-9a-f]{32}/g) ?? []) index.runIds.add(runId);
    add(index.byBody, `${letter.queue}\n${json}`, letter);
  }
  return index;
}

/** The dead letters of `queue` that are this case's: by its probe, or (a body that cannot hold one) by what the dead letter keeps of it. */
function lettersOf(c: InjectionCase, queue: InjectedQueue, index: LetterIndex): Listed[] {
  if (c.probe) return (index.byProbe.get(c.probe) ?? []).filter((l) => l.queue === queue);
  return index.byBody.get(`${queue}\n${JSON.stringify(deadLetterBody(c.body).body)}`) ?? [];
}

interface Accounting {
  sent: number;
  processed: number;
  deadLettered: number;
  lost: InjectionCase[];
}

function account(queue: InjectedQueue, cases: InjectionCase[], letters: LetterIndex, runs: Record<string, string[]>): Accounting {
  const result: Accounting = { sent: cases.length, processed: 0, deadLettered: 0, lost: [] };
  for (const c of cases) {
    if (c.kind === 'valid' && (runs[c.runId!] ?? []).some((e) => PROCESSED_LOG[queue].includes(e))) result.processed++;
    else if (c.kind === 'malformed' && lettersOf(c, queue, letters).length > 0) result.deadLettered++;
    else result.lost.push(c);
  }
  return result;
}

beforeAll(async () => {
  bed = await startTestbed({}, { firstWorker: writeInjectorConfig });
  // One ordinary run first: the stack is up and its pipeline works before anything odd is sent.
  const started = await (await admin(`/admin/generate?zip=${ZIP}`)).json<{ run_id: string }>();
  await waitFor(
    'the setup run to finish',
    async () => {
      const run = await (await admin(`/admin/runs/${started.run_id}`, { method: 'GET' })).json<{ status: string }>();
      return run.status === 'done' ? run : undefined;
    },
    60_000,
    250,
  );
});

let failed = false;
afterEach(({ task }) => {
  if (task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  // A failure's cause is often in what the stack printed: its last lines, outside the queue noise.
  if (bed && failed) {
    console.log(
      bed.stack.lines
        .filter((l) => !l.includes('{"time"') && !/\bQUEUE\b/.test(l))
        .slice(-40)
        .join('\n'),
    );
  }
  if (bed) assertNoConfigReload(bed.stack.lines);
  await closeTestbed(bed ?? {});
});

describe('injection through the real queues', () => {
  it('accounts for every body: processed, or exactly one dead letter naming the problem; none lost', async () => {
    const seed = randomBytes(8).toString('hex');
    const cases = Object.fromEntries(INJECTED_QUEUES.map((q) => [q, injectionCases(q, seed)])) as Record<InjectedQueue, InjectionCase[]>;
    for (const queue of INJECTED_QUEUES) {
      const malformed = cases[queue].filter((c) => c.kind === 'malformed');
      expect(malformed.length, `malformed bodies for ${queue}`).toBeGreaterThanOrEqual(30);
      expect(new Set(malformed.map((c) => c.contentType)), `content types for ${queue}`).toEqual(new Set(['json', 'text', 'bytes', 'v8']));
      expect(cases[queue].filter((c) => c.kind === 'valid' && /carrier/.test(c.name)).length, `odd carriers for ${queue}`).toBeGreaterThanOrEqual(10);
      // A body that cannot hold a probe is found by its dead letter's content: no two of them may look alike.
      const unprobed = malformed.filter((c) => !c.probe).map((c) => JSON.stringify(deadLetterBody(c.body).body));
      expect(new Set(unprobed).size, `distinct unprobed bodies for ${queue}`).toBe(unprobed.length);
    }
    await Promise.all(INJECTED_QUEUES.map((q) => inject(q, seed, planBatches(cases[q]))));

    let letters = indexLetters([]);
    let tally: Record<InjectedQueue, Accounting> | undefined;
    // Bounded poll until every message is accounted for; what is still missing after it is reported as lost.
    await waitFor(
      'every injected message to be processed or dead-lettered',
      async () => {
        const [l, runs] = [await deadLetters(), runEvents()];
        letters = indexLetters(l);
        tally = Object.fromEntries(INJECTED_QUEUES.map((q) => [q, account(q, cases[q], letters, runs)])) as Record<InjectedQueue, Accounting>;
        return INJECTED_QUEUES.every((q) => tally![q].lost.length === 0) ? true : undefined;
      },
      90_000,
      1_000,
    ).catch(() => undefined);

    const table = [
      '| queue | bodies sent | processed | dead-lettered | lost |',
      '|---|---|---|---|---|',
      ...INJECTED_QUEUES.map((q) => `| ${q} | ${tally![q].sent} | ${tally![q].processed} | ${tally![q].deadLettered} | ${tally![q].lost.length} |`),
    ].join('\n');
    console.log(`\nInjection through the real queues:\n\n${table}\n`);

    for (const queue of INJECTED_QUEUES) {
      expect(
        tally![queue].lost.map((c) => `${c.kind}: ${c.name}`),
        `lost on ${queue}`,
      ).toEqual([]);
      for (const c of cases[queue]) {
        if (c.kind === 'valid') {
          // Neighbours unaffected: processed, and never dead-lettered.
          expect(letters.runIds.has(c.runId!), `${queue}: ${c.name} in a dead letter`).toBe(false);
          continue;
        }
        const mine = lettersOf(c, queue, letters);
        expect(mine, `${queue}: ${c.name} (dead letters)`).toHaveLength(1);
        expect(mine[0], `${queue}: ${c.name}`).toMatchObject({ error_type: 'invalid_message', replayable: !c.preview });
        expect(mine[0].reason, `${queue}: ${c.name}`).toContain(`${c.field}: `);
      }
      // Nothing else was dead-lettered on this queue.
      const matched = new Set(cases[queue].flatMap((c) => (c.kind === 'malformed' ? lettersOf(c, queue, letters).map((l) => l.id) : [])));
      expect(
        letters.letters.filter((l) => l.queue === queue && !matched.has(l.id)).map((l) => `${l.error_type}: ${l.reason}`),
        `unexpected dead letters on ${queue}`,
      ).toEqual([]);
    }
    expect(troubleInLog()).toEqual([]);
  });

  it('finds a BigInt body and a self-referencing body, sent as v8 to each queue, in /admin/dlq', async () => {
    const seed = randomBytes(8).toString('hex');
    const picked = Object.fromEntries(
      INJECTED_QUEUES.map((q) => {
        const all = injectionCases(q, seed);
        const pick = (name: string) => all.find((c) => c.name === name)!;
        return [q, { bigint: pick('zip_code a BigInt'), cycle: pick('zip_code the body itself (a cycle)'), neighbour: pick('a plain valid body #1') }];
      }),
    ) as Record<InjectedQueue, Record<'bigint' | 'cycle' | 'neighbour', InjectionCase>>;
    await Promise.all(INJECTED_QUEUES.map((q) => inject(q, seed, [[picked[q].bigint.index, picked[q].neighbour.index, picked[q].cycle.index]])));

    const found = await waitFor(
      'the BigInt and cycle dead letters of the three queues',
      async () => {
        const letters = indexLetters(await deadLetters());
        const byQueue = INJECTED_QUEUES.map((q) => ({ q, bigint: lettersOf(picked[q].bigint, q, letters), cycle: lettersOf(picked[q].cycle, q, letters) }));
        return byQueue.every((f) => f.bigint.length > 0 && f.cycle.length > 0) ? byQueue : undefined;
      },
      60_000,
      500,
    );
    for (const { q, bigint, cycle } of found) {
      expect(bigint, q).toHaveLength(1);
      expect(cycle, q).toHaveLength(1);
      expect(bigint[0]).toMatchObject({ queue: q, error_type: 'invalid_message', replayable: false, body: { zip_code: { $type: 'BigInt', value: '78729' } } });
      expect(bigint[0].reason).toMatch(/zip_code: .*bigint/);
      expect(cycle[0]).toMatchObject({ queue: q, error_type: 'invalid_message', replayable: false, body: { zip_code: { $type: 'Circular', ref: '$' } } });
      expect(cycle[0].body_notes).toContain('cycle at $.zip_code back to $');
      // Shown, but not replayable: the original body is gone.
      const replay = await admin(`/admin/dlq/replay?id=${encodeURIComponent(cycle[0].id)}`);
      expect(replay.status).toBe(422);
      expect((await replay.json<{ error: string }>()).error).toMatch(/keeps only a preview of its body/);
    }
    const runs = await waitFor(
      'the neighbours to be processed',
      async () => {
        const r = runEvents();
        return INJECTED_QUEUES.every((q) => (r[picked[q].neighbour.runId!] ?? []).some((e) => PROCESSED_LOG[q].includes(e))) ? r : undefined;
      },
      60_000,
      500,
    );
    expect(Object.keys(runs).length).toBeGreaterThan(0);
    expect(troubleInLog()).toEqual([]);
  });
});
