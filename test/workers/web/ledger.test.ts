import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/web';
import { FORMAT_NAMES } from '../../../src/domain/formats';
import { addFormat } from '../../../src/storage/format-config';
import { setZipActive } from '../../../src/storage/zip-registry';
import { countingEnv } from '../../support/counting-env';
import { expectLedgerMatchesBindings } from '../ledger-check';
import type { Env } from '../../../src/env';

const ZIP = '78734';

async function request(e: Env, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const req = new Request(`http://localhost${path}`, init) as Request<unknown, IncomingRequestCfProperties>;
  const res = await worker.fetch!(req, e, ctx);
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return res;
}

describe('cost ledger (web)', () => {
  beforeEach(async () => {
    memoryExporter.reset();
    for (const format of FORMAT_NAMES) await addFormat(env.CONFIG, ZIP, format);
    await setZipActive(env.CONFIG, ZIP, true);
    await env.WEATHER_IMAGES.put(`${ZIP}/rgb_light.png`, new Uint8Array([1, 2, 3]), {
      httpMetadata: { contentType: 'image/png' },
      customMetadata: { zip: ZIP, 'generated-at': '2026-06-21T12:00:00.000Z', 'weather-fetched-at': '2026-06-21T12:00:00.000Z' },
    });
  });

  it.each([
    [
      '"Generate now" (POST /admin/generate)',
      '/admin/generate?zip=78734',
      { method: 'POST', headers: { authorization: 'Bearer test-admin-token-0123456789abcdef' } },
    ],
    ['an image request', `/${ZIP}/rgb_light.png`, {}],
    ['the home page', '/', {}],
    ['/forecasts', '/forecasts', {}],
  ])('counts from the spans exactly the operations the bindings saw: %s', async (_label, path, init) => {
    const { env: counted, tallies } = countingEnv(env as unknown as Env);
    const res = await request(counted, path, init);
    expect(res.status).toBeLessThan(300);
    const ledger = expectLedgerMatchesBindings(memoryExporter.getFinishedSpans(), tallies);
    expect(ledger.workerRequests).toBe(1);
  });

  it('counts from the spans exactly the operations the bindings saw: the cron, with its ZIP runs in traces of their own', async () => {
    const { env: counted, tallies } = countingEnv(env as unknown as Env);
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '*/15 * * * *', scheduledTime: Date.now() }), counted, ctx);
    await waitOnExecutionContext(ctx);
    const ledger = expectLedgerMatchesBindings(memoryExporter.getFinishedSpans(), tallies);
    expect(ledger.workerRequests).toBe(1);
    expect(ledger.queueMessages).toBeGreaterThanOrEqual(1);
  });
});
