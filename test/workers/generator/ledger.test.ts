import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/generator';
import { deliverBatch } from '../queue-batch';
import { landscapeJob } from './landscape-job';
import { FORMAT_NAMES } from '../../../src/domain/formats';
import { countingEnv } from '../../support/counting-env';
import { expectLedgerMatchesBindings } from '../ledger-check';
import type { Env } from '../../../src/env';

/** A job as the dispatcher sends it now: the forecast in the body. */
const job = (zip: string, format: string) => ({ ...landscapeJob(zip, format), run_id: '0123456789abcdef0123456789abcdef' });

describe('cost ledger (generator)', () => {
  beforeEach(() => memoryExporter.reset());

  it('counts from the spans exactly the KV, R2 and queue operations the bindings saw, for a five-format batch', async () => {
    const { env: counted, tallies } = countingEnv(env as unknown as Env);
    const result = await deliverBatch(
      worker,
      'landscape-jobs',
      FORMAT_NAMES.map((f) => ({ body: job('78730', f) })),
      counted,
    );
    expect(result.explicitAcks).toHaveLength(FORMAT_NAMES.length);
    const ledger = expectLedgerMatchesBindings(memoryExporter.getFinishedSpans(), tallies);
    expect(ledger.r2ClassA).toBeGreaterThanOrEqual(FORMAT_NAMES.length);
    expect(ledger.workerRequests).toBe(1);
  });
});
