import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/generator';
import { deliverBatch } from '../queue-batch';
import { FIXTURES } from '../../fixtures/forecasts';
import { FORMAT_NAMES } from '../../../src/domain/formats';
import { countingEnv } from '../../support/counting-env';
import { expectLedgerMatchesBindings } from '../ledger-check';
import type { Env } from '../../../src/env';
import type { Forecast } from '../../../src/domain/forecast';

const FETCHED_AT = '2026-06-21T12:00:00.000Z';

function job(zip: string, format: string) {
  return { schema_version: 1, zip_code: zip, format_name: format, lat: 30.45, lon: -97.79, fetched_at: FETCHED_AT, enqueued_at: FETCHED_AT, run_id: '0123456789abcdef0123456789abcdef' };
}

describe('cost ledger (generator)', () => {
  beforeEach(() => memoryExporter.reset());

  it('counts from the spans exactly the KV, R2 and queue operations the bindings saw, for a five-format batch', async () => {
    const base = Object.values(FIXTURES)[0] as Forecast;
    await env.CONFIG.put('weather:78730', JSON.stringify({ ...base, location: { ...base.location, zip: '78730' }, source: { ...base.source, fetchedAt: FETCHED_AT } }));
    const { env: counted, tallies } = countingEnv(env as unknown as Env);
    const result = await deliverBatch(worker, 'landscape-jobs', FORMAT_NAMES.map((f) => ({ body: job('78730', f) })), counted);
    expect(result.explicitAcks).toHaveLength(FORMAT_NAMES.length);
    const ledger = expectLedgerMatchesBindings(memoryExporter.getFinishedSpans(), tallies);
    expect(ledger.r2ClassA).toBeGreaterThanOrEqual(FORMAT_NAMES.length);
    expect(ledger.workerRequests).toBe(1);
  });
});
