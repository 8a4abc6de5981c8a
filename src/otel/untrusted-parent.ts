import { defaultTextMapGetter, isSpanContextValid, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ownAttribute } from './names';

/**
 * A `traceparent` from a request we do not trust (public routes, unauthenticated callers) must
 * not become our parent: otel-cf-workers then starts a new trace. We keep the caller's context as
 * a LINK on the server span (`<attributeNamespace>.link` = `untrusted_incoming_traceparent`), so
 * the two traces can still be joined by someone who owns both.
 */
export function linkUntrustedParent(request: Request): void {
  const span = trace.getActiveSpan();
  if (!span || !request.headers.has('traceparent')) return;
  const headers = Object.fromEntries(request.headers);
  const incoming = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
  if (!incoming || !isSpanContextValid(incoming) || incoming.traceId === span.spanContext().traceId) return;
  span.addLink({ context: incoming, attributes: { [ownAttribute('link')]: 'untrusted_incoming_traceparent' } });
}
