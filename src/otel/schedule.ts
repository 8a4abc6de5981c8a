import { context, SpanKind, trace } from '@opentelemetry/api';
import { withMessageParents } from './queue-producer';
import { ATTR_RUN_TRIGGER, ATTR_ZIP, withRunAttributes } from './run-attributes';
import { recordError, tracerFor } from './spans';

/**
 * Starts one batch of scheduled runs, one per ZIP, each a trace of its own: its root span
 * `scheduled run` (labelled with the ZIP and trigger, linked to the cron invocation's span;
 * otel-cf-workers ignores SpanOptions.links, so the link is added on the span) is its message's
 * creation context. `send` sends the batch's messages in the order of `zips` (one each); the
 * cron's `send` span links to every run root (queue-producer.ts, withMessageParents). When `send`
 * has settled, each root ends, failed with the error if the batch failed.
 * Never rejects: resolves to the batch's failure, if any.
 */
export async function inScheduledRuns(zips: readonly string[], send: () => Promise<void>): Promise<{ error: unknown } | undefined> {
  const cronSpan = trace.getActiveSpan();
  const active = context.active();
  const runs = zips.map((zip) => {
    const words = { [ATTR_ZIP]: zip, [ATTR_RUN_TRIGGER]: 'cron' };
    const base = withRunAttributes(active, words);
    const span = tracerFor('schedule').startSpan('scheduled run', { kind: SpanKind.INTERNAL, root: true, attributes: words }, base);
    if (cronSpan) span.addLink({ context: cronSpan.spanContext(), attributes: { 'weather_landscape.link': 'cron_invocation' } });
    return { span, ctx: trace.setSpan(base, span) };
  });
  let failure: { error: unknown } | undefined;
  try {
    await withMessageParents(
      runs.map((run) => run.ctx),
      send,
    );
  } catch (error) {
    failure = { error };
  }
  for (const run of runs) {
    if (failure) recordError(run.span, failure.error);
    run.span.end();
  }
  return failure;
}
