import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/dispatcher';
import { deliverBatch } from '../queue-batch';
import { FORMAT_NAMES } from '../../../src/domain/formats';
import { addFormat } from '../../../src/storage/format-config';
import { countingEnv } from '../../support/counting-env';
import { expectLedgerMatchesBindings } from '../ledger-check';
import type { Env } from '../../../src/env';

const RUN_ID = '0123456789abcdef0123456789abcdef';

describe('cost ledger (dispatcher)', () => {
  beforeEach(() => memoryExporter.reset());

  it('counts from the spans exactly the operations the bindings saw, for a ZIP with all five formats', async () => {
    for (const format of FORMAT_NAMES) await addFormat(env.CONFIG, '78733', format);
    const { env: counted, tallies } = countingEnv(env as unknown as Env);
    const body = { schema_version: 1, zip_code: '78733', lat: 30.45, lon: -97.79, fetched_at: '2026-06-21T12:00:00.000Z', run_id: RUN_ID };
    const result = await deliverBatch(worker, 'weather-ready', [{ body }], counted);
    expect(result.explicitAcks).toEqual(['m0']);
    const ledger = expectLedgerMatchesBindings(memoryExporter.getFinishedSpans(), tallies);
    expect(ledger.queueMessages).toBe(FORMAT_NAMES.length);
  });
});
