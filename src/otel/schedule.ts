import { context, SpanKind, trace, type Attributes } from '@opentelemetry/api';
import { setContextAttributes } from './context-attributes';
import { ownAttribute } from './names';
import { withMessageParents } from './queue-producer';
import { recordError, tracerFor } from './spans';

/**
 * Starts one batch of scheduled runs, one per item of `runs`, each a trace of its own: its root
 * span `scheduled run` (with the run's context attributes, `attributesOf(run)`, which every span
 * under it carries too; linked to the cron invocation's span with `<attributeNamespace>.link` =
 * `cron_invocation`; otel-cf-workers ignores SpanOptions.links, so the link is added on the span)
 * is the parent of its message's `create` span. `send` sends the batch's messages in the order of
 * `runs` (one each); the cron's `send` span links to every `create` span (queue-producer.ts,
 * withMessageParents). When `send` has settled, `settled(run, failure)` runs inside each run's root
 * (so its log line carries that run's trace id), then each root ends, failed with the error if the
 * batch failed. Never rejects: a failed batch is reported through `settled`.
 */
export async function inScheduledRuns<T>(
  runs: readonly T[],
  attributesOf: (run: T) => Attributes,
  send: () => Promise<void>,
  settled: (run: T, failure?: { error: unknown }) => void,
): Promise<void> {
  const cronSpan = trace.getActiveSpan();
  const active = context.active();
  const linkAttributes = { [ownAttribute('link')]: 'cron_invocation' };
  const started = runs.map((run) => {
    const attributes = attributesOf(run);
    const base = setContextAttributes(active, attributes);
    const span = tracerFor('schedule').startSpan('scheduled run', { kind: SpanKind.INTERNAL, root: true, attributes }, base);
    if (cronSpan) span.addLink({ context: cronSpan.spanContext(), attributes: linkAttributes });
    return { run, span, ctx: trace.setSpan(base, span) };
  });
  let failure: { error: unknown } | undefined;
  try {
    await withMessageParents(
      started.map((s) => s.ctx),
      send,
    );
  } catch (error) {
    failure = { error };
  }
  for (const { run, span, ctx } of started) {
    context.with(ctx, () => settled(run, failure));
    if (failure) recordError(span, failure.error);
    span.end();
  }
}
