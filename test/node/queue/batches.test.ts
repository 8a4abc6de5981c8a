import { describe, expect, it } from 'vitest';
import { SEND_BATCH_LIMITS, sendBatches } from '../../../src/queue/batches';

describe('sendBatches', () => {
  it('cuts at 100 messages', () => {
    const sizes = [
      ...sendBatches(
        Array.from({ length: 250 }, (_, i) => ({ i })),
        (b) => b,
      ),
    ].map((b) => b.length);
    expect(sizes).toEqual([100, 100, 50]);
  });

  it('cuts before 256 KB of bodies (carrier and metadata room included), and sends an oversized body alone', () => {
    const body = (kb: number) => ({ pad: 'x'.repeat(kb * 1000) });
    const batches = [...sendBatches([body(100), body(100), body(100), body(300), body(1)], (b) => b)].map((b) => b.map((x) => x.pad.length / 1000));
    expect(batches).toEqual([[100, 100], [100], [300], [1]]);
    expect(SEND_BATCH_LIMITS).toEqual({ messages: 100, bytes: 256_000 });
  });
});
