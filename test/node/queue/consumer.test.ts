import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Env } from '../../../src/env';
import { consumeBatch, MESSAGES_IN_FLIGHT, type ConsumedQueue } from '../../../src/queue/consumer';

const QUEUE: ConsumedQueue<{ n: number }> = { name: 'numbers', schema: z.object({ n: z.number() }) };

/** A batch as the runtime hands it over, recording how each message was settled. */
function batchOf(count: number) {
  const settled: string[] = [];
  const messages = Array.from({ length: count }, (_, n) => ({
    id: `m${n}`,
    timestamp: new Date(),
    attempts: 1,
    body: { n },
    ack: () => void settled.push(`ack ${n}`),
    retry: () => void settled.push(`retry ${n}`),
  }));
  const batch = { queue: QUEUE.name, messages, ackAll() {}, retryAll() {} } as unknown as MessageBatch<unknown>;
  return { batch, settled };
}

/** A handler that counts how many messages are inside it at once; each stays until the event loop turns. */
function countingHandler(fail: (n: number) => boolean = () => false) {
  let inside = 0;
  const seen = { most: 0, order: [] as number[] };
  const handle = async ({ n }: { n: number }) => {
    inside++;
    seen.most = Math.max(seen.most, inside);
    seen.order.push(n);
    await new Promise((resolve) => setImmediate(resolve));
    inside--;
    if (fail(n)) throw new Error(`message ${n} failed`);
  };
  return { handle, seen };
}

describe('consumeBatch', () => {
  beforeEach(() => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it(`works on at most ${MESSAGES_IN_FLIGHT} messages at once, in batch order, and settles every one`, async () => {
    const { batch, settled } = batchOf(35);
    const { handle, seen } = countingHandler();
    const result = await consumeBatch(batch, {} as Env, QUEUE, handle);
    expect(seen.most).toBe(MESSAGES_IN_FLIGHT);
    expect(seen.order).toEqual(Array.from({ length: 35 }, (_, n) => n));
    expect(result).toEqual({ acked: 35, retried: 0, deadLettered: 0 });
    expect(settled.sort()).toEqual(Array.from({ length: 35 }, (_, n) => `ack ${n}`).sort());
  });

  it('takes the concurrency it is given', async () => {
    const { batch } = batchOf(12);
    const { handle, seen } = countingHandler();
    await consumeBatch(batch, {} as Env, QUEUE, handle, { concurrency: 3 });
    expect(seen.most).toBe(3);
  });

  it("goes on with a lane's next message after one fails", async () => {
    const { batch, settled } = batchOf(5);
    const { handle } = countingHandler((n) => n === 1);
    const result = await consumeBatch(batch, {} as Env, QUEUE, handle, { concurrency: 1 });
    expect(result).toEqual({ acked: 4, retried: 1, deadLettered: 0 });
    expect(settled).toEqual(['ack 0', 'retry 1', 'ack 2', 'ack 3', 'ack 4']);
  });

  it('refuses a concurrency that is not a whole number from 1 before touching a message', async () => {
    const { batch, settled } = batchOf(3);
    const { handle } = countingHandler();
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      await expect(consumeBatch(batch, {} as Env, QUEUE, handle, { concurrency })).rejects.toThrow(RangeError);
    }
    expect(settled).toEqual([]);
  });
});
