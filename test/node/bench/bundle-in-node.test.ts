import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BundleThread } from '../../../bench/tracing-js';

const dir = mkdtempSync(join(tmpdir(), 'bundle-in-node-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Thread CPU a deferred task burns: far more than receiving a one-message job costs. */
const DEFERRED_MS = 40;

/**
 * A worker whose queue handler returns at once and leaves CPU work to an event-loop task, as V8
 * leaves part of a collection to one: the work runs after the batch has ended.
 */
function deferringWorker(): string {
  const mainPath = join(dir, 'deferring.js');
  const clock = pathToFileURL(join(import.meta.dirname, '../../../bench/lib/thread-cpu.mjs')).href;
  writeFileSync(
    mainPath,
    `import { threadCpuMs } from ${JSON.stringify(clock)};
export default {
  async queue(batch) {
    for (const message of batch.messages) message.ack();
    setImmediate(() => {
      const start = threadCpuMs();
      while (threadCpuMs() - start < ${DEFERRED_MS}) {}
    });
  },
};
`,
  );
  return mainPath;
}

describe('bench/lib/bundle-in-node.mjs: the CPU a batch is charged', () => {
  it('counts the work a batch left to the event loop in the next cycle, which the handler alone misses', async () => {
    const mainPath = deferringWorker();
    const thread = await BundleThread.start(
      { name: 'deferring', dir, mainPath, files: [], config: { name: 'deferring', main: mainPath, compatibility_date: '2026-01-01' } },
      {},
      false,
    );
    try {
      await thread.batch('q', [{}], 'first');
      const second = await thread.batch('q', [{}], 'second');
      // The first batch's deferred task ran between the two: the second cycle holds it, its handler does not.
      expect(second.cpuMs).toBeGreaterThanOrEqual(DEFERRED_MS);
      expect(second.handlerCpuMs).toBeLessThan(DEFERRED_MS);
    } finally {
      await thread.stop();
    }
  });
});
