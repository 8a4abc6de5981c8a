import { context, SpanKind, trace } from '@opentelemetry/api';
import { ATTR_RUN_TRIGGER, ATTR_ZIP, withRunAttributes } from './run-attributes';
import { inSpan, tracerFor } from './spans';

/**
 * One ZIP's scheduled run: the root span `scheduled run` of a trace of its own, labelled with the
 * ZIP and trigger, linked to the cron invocation's span (otel-cf-workers ignores SpanOptions.links,
 * so the link is added on the span).
 */
export function inScheduledRunSpan<T>(zip: string, fn: () => Promise<T>): Promise<T> {
  const cronSpan = trace.getActiveSpan();
  const run = { [ATTR_ZIP]: zip, [ATTR_RUN_TRIGGER]: 'cron' };
  return context.with(withRunAttributes(context.active(), run), () =>
    inSpan(tracerFor('schedule'), 'scheduled run', { kind: SpanKind.INTERNAL, root: true, attributes: run }, (span) => {
      if (cronSpan) span.addLink({ context: cronSpan.spanContext(), attributes: { 'weather_landscape.link': 'cron_invocation' } });
      return fn();
    }),
  );
}
