import { context, SpanKind, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { setContextAttributes } from './context-attributes';
import { ownAttribute } from './names';
import { withMessageParents } from './queue-producer';
import { recordError, tracerFor } from './spans';

/** A trace to start: its root span's name and attributes (context attributes: every span under it carries them too). */
export interface NewTrace {
  name: string;
  attributes: Attributes;
}

/**
 * Starts one trace per entry of `roots`, each root linked to the active span (the invocation that
 * started them) with `<attributeNamespace>.link` = `linkReason`; otel-cf-workers ignores
 * SpanOptions.links, so the link is added on the span. `prepare(i)` runs inside root i (so what it
 * records carries that trace's id); then `send` runs with the prepared values, in order, and each
 * root is its message's creation context (queue-producer.ts, withMessageParents): the `send` span
 * links to every root, no `create` span between. A root whose `prepare` failed is not sent and ends
 * failed; when `send` fails, every sent root does. Never rejects: resolves to what each `prepare`
 * gave and the send's failure, if any. This is how one invocation starts many runs (a cron tick, a
 * bulk replay), each a trace of its own.
 */
export async function inNewTraces<P>(
  roots: readonly NewTrace[],
  linkReason: string,
  prepare: (index: number) => Promise<P>,
  send: (prepared: P[]) => Promise<void>,
): Promise<{ prepared: PromiseSettledResult<P>[]; failure?: { error: unknown } }> {
  const parent = trace.getActiveSpan();
  const active = context.active();
  const linkAttributes = { [ownAttribute('link')]: linkReason };
  const started = roots.map(({ name, attributes }) => {
    const base = setContextAttributes(active, attributes);
    const span = tracerFor('schedule').startSpan(name, { kind: SpanKind.INTERNAL, root: true, attributes }, base);
    if (parent) span.addLink({ context: parent.spanContext(), attributes: linkAttributes });
    return { span, ctx: trace.setSpan(base, span) };
  });
  const prepared = await Promise.allSettled(started.map((root, i) => context.with(root.ctx, () => prepare(i))));
  const ready: Array<{ span: Span; ctx: Context; value: P }> = [];
  prepared.forEach((result, i) => {
    if (result.status === 'fulfilled') ready.push({ ...started[i], value: result.value });
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
      for (const r of ready) recordError(r.span, error);
    }
  }
  for (const root of started) root.span.end();
  return { prepared, failure };
}
