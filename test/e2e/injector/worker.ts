/**
 * Test-only worker, loaded into the e2e stack's `wrangler dev` beside the four workers (see
 * ./config.ts; no production config or code knows it). It has producer bindings to the three
 * pipeline queues, so it can put any body of any content type into the real local queues, and a
 * service binding to the web worker, to which it forwards every other request: the stack's port
 * is its port (wrangler gives it to the first config).
 *
 *   POST /__injector/send   {queue, seed, batches: [[case index, …], …]}  → each batch one sendBatch
 */
import { z } from 'zod';
import { INJECTED_QUEUES, injectionCases } from './cases';

interface InjectorEnv {
  FETCH_JOBS: Queue;
  WEATHER_READY: Queue;
  LANDSCAPE_JOBS: Queue;
  WEB: Fetcher;
}

const BINDINGS = { 'fetch-jobs': 'FETCH_JOBS', 'weather-ready': 'WEATHER_READY', 'landscape-jobs': 'LANDSCAPE_JOBS' } as const;

const SendRequest = z.object({
  queue: z.enum(INJECTED_QUEUES),
  seed: z.string().regex(/^[0-9a-f]{16}$/),
  batches: z.array(z.array(z.number().int().nonnegative()).min(1).max(100)).min(1),
});

async function send(request: Request, env: InjectorEnv): Promise<Response> {
  const parsed = SendRequest.safeParse(await request.json().catch(() => undefined));
  if (!parsed.success) return Response.json({ error: parsed.error.message }, { status: 400 });
  const { queue, seed, batches } = parsed.data;
  const cases = injectionCases(queue, seed);
  let sent = 0;
  for (const batch of batches) {
    const messages = batch.map((index) => {
      const c = cases[index];
      if (!c) throw new Error(`no case ${index} for ${queue}`);
      // The runtime sends bytes from a view and delivers them as an ArrayBuffer, which is what the case holds.
      const body = c.contentType === 'bytes' && c.body instanceof ArrayBuffer ? new Uint8Array(c.body) : c.body;
      return { body, contentType: c.contentType };
    });
    await env[BINDINGS[queue]].sendBatch(messages);
    sent += messages.length;
  }
  return Response.json({ sent });
}

export default {
  async fetch(request: Request, env: InjectorEnv): Promise<Response> {
    const { pathname } = new URL(request.url);
    try {
      if (pathname === '/__injector/send' && request.method === 'POST') return await send(request, env);
    } catch (error) {
      return Response.json({ error: String(error) }, { status: 500 });
    }
    return env.WEB.fetch(request);
  },
} satisfies ExportedHandler<InjectorEnv>;
