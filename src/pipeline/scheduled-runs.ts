import { SpanKind, trace } from '@opentelemetry/api';
import type { Env } from '../env';
import { listActiveZips } from '../storage/zip-registry';
import { startRun } from './start-run';

/**
 * The cron: one run per active ZIP. Each ZIP's run is a trace of its own (so one slow ZIP's
 * waterfall is not buried in the others), linked to the cron invocation's span.
 */
export async function runScheduled(env: Env, now = new Date()): Promise<string[]> {
  const zips = await listActiveZips(env.CONFIG);
  const cronSpan = trace.getActiveSpan();
  const tracer = trace.getTracer('weather-landscape.schedule');
  const results = await Promise.allSettled(
    zips.map((zip) =>
      tracer.startActiveSpan(`schedule ${zip}`, { kind: SpanKind.INTERNAL, root: true, attributes: { 'weather.zip': zip } }, async (span) => {
        // otel-cf-workers ignores SpanOptions.links, so the link is added on the span.
        if (cronSpan) span.addLink({ context: cronSpan.spanContext() });
        try {
          return await startRun(env, zip, 'cron', now);
        } finally {
          span.end();
        }
      }),
    ),
  );
  const failed = results.filter((r) => r.status === 'rejected');
  for (const failure of failed) console.error('scheduled run could not be enqueued', { error: String((failure as PromiseRejectedResult).reason) });
  console.info('scheduled runs enqueued', { zips: zips.length, failed: failed.length });
  return zips;
}
