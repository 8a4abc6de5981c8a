import { context, SpanKind, trace, type Attributes, type Context } from '@opentelemetry/api';
import { withMessageParents } from './queue-producer';
import { ATTR_RUN_TRIGGER, ATTR_ZIP, withRunAttributes } from './run-attributes';
import { recordError, tracerFor } from './spans';

/** A trace to start: its root span's name and attributes (which every span under it carries too). */
export interface NewTrace {
  name: string;
  attributes: Attributes;
}

/**
 * Starts one trace per entry of `roots`, each root linked to the active span (the invocation that
 * started them; otel-cf-workers ignores SpanOptions.links, so the link is added on the span, with
 * `linkAttributes`). `prepare(i)` runs inside root i (so what it records carries that trace's id);
 * then `send` runs with the prepared values, in order, and each root is its message's creation
 * context (queue-producer.ts, withMessageParents): the `send` span links to every root. A root
 * whose `prepare` failed is not sent and ends failed; when `send` fails, every sent root does.
 * Never rejects: resolves to what each `prepare` gave and the send's failure, if any.
 */
export async function inNewTraces<P>(
  roots: readonly NewTrace[],
  linkAttributes: Attributes,
  prepare: (index: number) => Promise<P>,
  send: (prepared: P[]) => Promise<void>,
): Promise<{ prepared: PromiseSettledResult<P>[]; failure?: { error: unknown } }> {
  const parent = trace.getActiveSpan();
  const active = context.active();
  const started = roots.map(({ name, attributes }) => {
    const base = withRunAttributes(active, attributes);
    const span = tracerFor('schedule').startSpan(name, { kind: SpanKind.INTERNAL, root: true, attributes }, base);
    if (parent) span.addLink({ context: parent.spanContext(), attributes: linkAttributes });
    return { span, ctx: trace.setSpan(base, span) };
  });
  const prepared = await Promise.allSettled(started.map((root, i) => context.with(root.ctx, () => prepare(i))));
  const ready: Array<{ ctx: Context; value: P }> = [];
  prepared.forEach((result, i) => {
    if (result.status === 'fulfilled') ready.push({ ctx: started[i].ctx, value: result.value });
    else recordError(started[i].span, result.reason);
  });
  let failure: { error: unknown } | undefined;
  if (ready.length > 0) {
    try {
      await withMessageParents(
        ready.map((r) => r.ctx),
        () => send(ready.map((r) => r.value)),
      );
    } catch (error) {
      failure = { error };
      for (const r of ready) recordError(trace.getSpan(r.ctx)!, error);
    }
  }
  for (const root of started) root.span.end();
  return { prepared, failure };
}

/**
 * The cron's runs: one trace per ZIP, its root `scheduled run` (the ZIP and trigger `cron`, linked
 * to the cron invocation's span) the creation context of its message. `send` sends the batch's
 * messages in the order of `zips`. Never rejects: resolves to the batch's failure, if any.
 */
export async function inScheduledRuns(zips: readonly string[], send: () => Promise<void>): Promise<{ error: unknown } | undefined> {
  const roots = zips.map((zip) => ({ name: 'scheduled run', attributes: { [ATTR_ZIP]: zip, [ATTR_RUN_TRIGGER]: 'cron' } }));
  const { failure } = await inNewTraces(roots, { 'weather_landscape.link': 'cron_invocation' }, async () => undefined, send);
  return failure;
}
