/**
 * The shared shape of the three consumers' malformed-body suites (test/workers/*\/malformed.test.ts):
 * malformed bodies are delivered 9 at a time with one valid neighbour (a batch of 10, the queues'
 * max_batch_size), then every case gets its own test: acked, not retried, dead-lettered once with
 * error_type `invalid_message` and a reason naming the bad field, its consumer span saying so,
 * and the batch's valid neighbour processed. Tolerated bodies must be processed.
 *
 * Free of `cloudflare:test` on purpose: each test file passes its own delivery function.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { malformedCases, toleratedCases, type FieldKind, type MalformedCase } from './malformed-bodies';

export interface Delivered {
  explicitAcks: string[];
  retryMessages: Array<{ msgId: string }>;
  /** What the consumer sent to its DEAD_LETTERS queue during this delivery. */
  deadLetters: Array<Record<string, unknown>>;
  /** What it sent onward, to the next queue (none for the generator). */
  onward: Array<Record<string, unknown>>;
}

export interface SpanView {
  name: string;
  attributes: Record<string, unknown>;
}

export interface MalformedSuite {
  queue: string;
  valid: Record<string, unknown>;
  fields: Record<string, FieldKind>;
  deliver(messages: Array<{ id: string; body: unknown }>): Promise<Delivered>;
  /** A valid body for the n-th batch's neighbour (distinct per batch, so its effect can be found). */
  neighbour(n: number): Record<string, unknown>;
  /** Asserts the neighbour's effect (next message sent, image stored …) after its batch. */
  expectProcessed(body: Record<string, unknown>, delivered: Delivered): Promise<void> | void;
  spans(): SpanView[];
}

const BATCH = 10;

/**
 * One message's fate in a delivery, as a short phrase for table-like assertions:
 * 'processed', 'retry after ≥1 s', 'dead letter: <error_type>', or what went wrong.
 */
export function outcomeOf(delivered: Delivered & { retryDelays: Map<string, number | undefined> }, id: string): string {
  const acked = delivered.explicitAcks.includes(id);
  const retried = delivered.retryMessages.some((r) => r.msgId === id);
  const letters = delivered.deadLetters.filter((d) => d.message_id === id);
  if (acked && retried) return 'acked AND retried';
  if (letters.length > 1) return 'dead-lettered twice';
  if (retried) return `retry after ${(delivered.retryDelays.get(id) ?? 0) >= 1 ? '≥1' : '<1'} s`;
  if (acked && letters.length === 1) return `dead letter: ${String(letters[0].error_type)}`;
  if (acked) return 'processed';
  return 'not settled';
}

function processSpan(spans: SpanView[], queue: string, id: string): SpanView | undefined {
  return spans.find((s) => s.name === `process ${queue}` && s.attributes['messaging.message.id'] === id);
}

export function defineMalformedSuite(suite: MalformedSuite): void {
  const cases = malformedCases(suite.valid, suite.fields);
  const tolerated = toleratedCases(suite.valid);

  describe(`${suite.queue}: malformed bodies are acked and dead-lettered with the bad field named`, () => {
    const results = new Map<string, { delivered: Delivered; neighbour: Record<string, unknown>; neighbourId: string }>();
    let failure: Error | undefined;

    beforeAll(async () => {
      try {
        for (let start = 0, n = 0; start < cases.length; start += BATCH - 1, n++) {
          const chunk = cases.slice(start, start + BATCH - 1);
          const neighbour = suite.neighbour(n);
          const neighbourId = `ok-${n}`;
          const messages = [...chunk.map((c, i) => ({ id: `bad-${start + i}`, body: c.body })), { id: neighbourId, body: neighbour }];
          const delivered = await suite.deliver(messages);
          await suite.expectProcessed(neighbour, delivered);
          chunk.forEach((_, i) => results.set(`bad-${start + i}`, { delivered, neighbour, neighbourId }));
        }
      } catch (error) {
        // reported by every case below, with its name
        failure = error instanceof Error ? error : new Error(JSON.stringify(error));
      }
    }, 60_000);

    it(`has at least 30 cases (${cases.length})`, () => {
      expect(cases.length).toBeGreaterThanOrEqual(30);
    });

    cases.forEach((c: MalformedCase, index) => {
      it(`${c.name} → dead-lettered, reason names ${c.field}`, () => {
        if (failure) throw failure;
        const id = `bad-${index}`;
        const { delivered, neighbourId } = results.get(id)!;
        expect(delivered.explicitAcks).toContain(id);
        expect(delivered.retryMessages.map((r) => r.msgId)).not.toContain(id);
        const letters = delivered.deadLetters.filter((d) => d.message_id === id);
        expect(letters).toHaveLength(1);
        const letter = letters[0];
        expect(letter).toMatchObject({ schema_version: 1, queue: suite.queue, attempts: 1, error_type: 'invalid_message' });
        const reason = String(letter.reason);
        expect(reason.startsWith(`invalid ${suite.queue} message: `)).toBe(true);
        expect(reason).toContain(`${c.field}: `);
        // The reason is about the field, not a copy of a huge value.
        expect(reason.length).toBeLessThan(1000);
        // The dead letter as sent must survive JSON, the way a queue message and the KV record carry it.
        const json = JSON.stringify(letter);
        expect(new TextEncoder().encode(json).byteLength).toBeLessThan(128_000);
        if (c.preview) {
          // A body JSON cannot hold exactly (or too big to keep whole): a tagged preview, said not replayable.
          expect(letter).toMatchObject({ replayable: false, body_notes: expect.arrayContaining([expect.any(String)]) });
          expect((JSON.parse(json) as { body: unknown }).body).toEqual(letter.body);
        } else {
          // The dead letter keeps the body as it came (without the trace carrier), for the admin to replay.
          const expectedBody =
            typeof c.body === 'object' && c.body !== null && !Array.isArray(c.body)
              ? Object.fromEntries(Object.entries(c.body).filter(([k]) => k !== '_otel'))
              : c.body;
          expect(letter.body).toEqual(expectedBody);
          expect(letter.replayable).toBe(true);
        }
        const span = processSpan(suite.spans(), suite.queue, id);
        expect(span?.attributes).toMatchObject({
          'messaging.cloudflare_queues.outcome': 'dead_letter',
          'error.type': 'invalid_message',
          'messaging.cloudflare_queues.dead_letter.reason': reason,
        });
        // Its valid neighbour in the same batch was processed (and is not dead-lettered).
        expect(delivered.explicitAcks).toContain(neighbourId);
        expect(delivered.deadLetters.some((d) => d.message_id === neighbourId)).toBe(false);
      });
    });

    it('no malformed body polluted Object.prototype', () => {
      if (failure) throw failure;
      const probe = {} as Record<string, unknown>;
      for (const key of ['polluted', 'isAdmin', 'zip_code', 'schema_version', 'format_name']) expect(probe[key]).toBeUndefined();
    });
  });

  describe(`${suite.queue}: odd but valid bodies are processed`, () => {
    for (const [index, t] of tolerated.entries()) {
      it(`${t.name} → processed${t.carrier ? ` in a new trace (carrier ${t.carrier})` : ''}`, async () => {
        const id = `odd-${index}`;
        const delivered = await suite.deliver([{ id, body: t.body }]);
        expect(delivered.explicitAcks).toEqual([id]);
        expect(delivered.retryMessages).toEqual([]);
        expect(delivered.deadLetters).toEqual([]);
        await suite.expectProcessed(suite.valid, delivered);
        const span = processSpan(suite.spans(), suite.queue, id);
        expect(span?.attributes['messaging.cloudflare_queues.outcome']).toBe('ack');
        if (t.carrier) expect(span?.attributes['messaging.cloudflare_queues.carrier.status']).toBe(t.carrier);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });
    }
  });
}
