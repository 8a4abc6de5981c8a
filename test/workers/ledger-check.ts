import { expect } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ledgerFromSpans, type Ledger, type LedgerSpan, type LedgerSpanKind } from '../support/ledger';
import type { BindingTallies } from '../support/counting-env';

const KINDS: LedgerSpanKind[] = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

/** The in-memory exporter's spans in the shape the ledger reads (the OTLP receiver's shape). */
export function ledgerSpans(spans: readonly ReadableSpan[]): LedgerSpan[] {
  return spans.map((s) => ({
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    ...(s.parentSpanContext?.spanId ? { parentSpanId: s.parentSpanContext.spanId } : {}),
    name: s.name,
    kind: KINDS[s.kind],
    serviceName: String(s.resource.attributes['service.name']),
    attributes: { ...s.attributes },
    links: s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: { ...l.attributes } })),
  }));
}

const COMPARED = ['kvReads', 'kvWrites', 'kvDeletes', 'kvLists', 'r2ClassA', 'r2ClassB', 'r2Free', 'queueMessages', 'queueOps'] as const;

/**
 * The ledger of the exported spans equals what the counting wrapper saw at the bindings, per
 * operation kind. Returns the ledger for further checks.
 */
export function expectLedgerMatchesBindings(spans: readonly ReadableSpan[], tallies: BindingTallies): Ledger {
  expect(tallies.unpriced, 'binding methods without a price class').toEqual([]);
  const ledger = ledgerFromSpans(ledgerSpans(spans));
  const pick = (o: Record<(typeof COMPARED)[number], number>) => Object.fromEntries(COMPARED.map((k) => [k, o[k]]));
  expect(pick(ledger), 'ledger from spans (left) vs. operations at the bindings (right)').toEqual(pick(tallies));
  // Something happened: a run that touched no binding would pass vacuously.
  expect(COMPARED.some((k) => tallies[k] > 0)).toBe(true);
  return ledger;
}
