/**
 * Bench-only worker for the cron-tick figure (bench/cron-tick.ts), loaded FIRST in the same
 * `wrangler dev` as the web worker (so it gets the port and shares the local KV and queues):
 * - it is the only consumer of `fetch-jobs` (no fetcher is loaded), so a tick of 10,000 ZIPs costs
 *   10,000 acks, not 10,000 forecasts and renders: the figure is about what the cron sent;
 * - it writes the ZIP registry in bulk through the registry's own code (10,000 activations in a
 *   few requests instead of 10,000 admin calls);
 * - it fires the web worker's cron through the service binding and times it around the call.
 * Everything else is forwarded to the web worker. Not part of any deployment.
 */
import { z } from 'zod';
import { FetchJob } from '../../src/messages/schemas';
import { setZipActive } from '../../src/storage/zip-registry';

/** A service binding can also run the bound worker's scheduled handler (workerd's Fetcher.scheduled; the types here leave it out). */
interface ScheduledFetcher extends Fetcher {
  scheduled(options: { cron?: string; scheduledTime?: Date }): Promise<{ outcome: string; noRetry: boolean } | undefined>;
}

interface ProbeEnv {
  CONFIG: KVNamespace;
  WEB: ScheduledFetcher;
}

const SeedBody = z.object({ zips: z.array(z.string().regex(/^\d{5}$/)).max(2000) });
const Cron = z.string().min(9).max(40);

/** What arrived on fetch-jobs since the last reset (module state: wrangler dev runs one isolate per worker). */
const delivered = new Map<string, number>();
let messages = 0;
let invalid = 0;

const json = (value: unknown, status = 200) => Response.json(value, { status });

export default {
  async fetch(request: Request, env: ProbeEnv): Promise<Response> {
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/__probe/')) return env.WEB.fetch(request);
    if (request.method === 'POST' && url.pathname === '/__probe/seed') {
      const parsed = SeedBody.safeParse(await request.json().catch(() => undefined));
      if (!parsed.success) return json({ error: parsed.error.message }, 400);
      await Promise.all(parsed.data.zips.map((zip) => setZipActive(env.CONFIG, zip, true)));
      return json({ seeded: parsed.data.zips.length });
    }
    if (request.method === 'POST' && url.pathname === '/__probe/reset') {
      delivered.clear();
      messages = 0;
      invalid = 0;
      return json({ ok: true });
    }
    if (request.method === 'GET' && url.pathname === '/__probe/delivered') {
      let duplicates = 0;
      for (const n of delivered.values()) duplicates += n - 1;
      return json({ messages, zips: delivered.size, duplicates, invalid });
    }
    if (request.method === 'POST' && url.pathname === '/__probe/tick') {
      const cron = Cron.safeParse(url.searchParams.get('cron'));
      if (!cron.success) return json({ error: 'cron: a cron expression is required' }, 400);
      const started = Date.now();
      const result = await env.WEB.scheduled({ cron: cron.data, scheduledTime: new Date() });
      // Across wrangler dev's workers the call resolves without a result: the bench reads the outcome from the cron span.
      return json({ outcome: result?.outcome ?? null, ms: Date.now() - started });
    }
    return json({ error: 'not found' }, 404);
  },

  async queue(batch: MessageBatch<unknown>): Promise<void> {
    for (const message of batch.messages) {
      messages += 1;
      const job = FetchJob.safeParse(message.body);
      if (job.success) delivered.set(job.data.zip_code, (delivered.get(job.data.zip_code) ?? 0) + 1);
      else invalid += 1;
      message.ack();
    }
  },
};
