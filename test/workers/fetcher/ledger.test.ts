import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/fetcher';
import { deliverBatch } from '../queue-batch';
import { countingEnv } from '../../support/counting-env';
import { expectLedgerMatchesBindings } from '../ledger-check';
import type { Env } from '../../../src/env';

const RUN_ID = '0123456789abcdef0123456789abcdef';

function fetchJob(zip: string) {
  return { schema_version: 1, zip_code: zip, scheduled_at: '2026-06-21T12:00:00.000Z', trigger: 'admin', run_id: RUN_ID };
}

describe('cost ledger (fetcher)', () => {
  beforeEach(() => memoryExporter.reset());

  it.each([
    ['first run (geocode not cached)', false],
    ['steady state (geocode cached)', true],
  ])('counts from the spans exactly the operations the bindings saw: %s', async (_label, cached) => {
    if (!cached) await env.CONFIG.delete('geo:78731');
    else await deliverBatch(worker, 'fetch-jobs', [{ body: fetchJob('78731') }], env);
    memoryExporter.reset();
    const { env: counted, tallies } = countingEnv(env as unknown as Env);
    const result = await deliverBatch(worker, 'fetch-jobs', [{ body: fetchJob('78731') }, { body: fetchJob('78732') }], counted);
    expect(result.explicitAcks).toHaveLength(2);
    const ledger = expectLedgerMatchesBindings(memoryExporter.getFinishedSpans(), tallies);
    expect(ledger.queueMessages).toBe(2);
    expect(ledger.httpFetches).toBeGreaterThanOrEqual(2);
    expect(ledger.workerRequests).toBe(1);
  });
});
