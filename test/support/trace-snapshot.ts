/**
 * This application's trace snapshot settings (src/otel/testing's traceSnapshot): the library's
 * attributes plus the run's words and the renderer's, shapes for values that vary per run, and
 * same-named siblings ordered by format, then by KV key.
 */
import { traceSnapshot as snapshotOf, type SpanInput, type TraceSnapshotOptions } from '../../src/otel/testing';

/** An attribute value as sort text: a string as it is, anything else as JSON, nothing as ''. */
const sortText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

const SETTINGS: TraceSnapshotOptions = {
  attributes: [
    'http.route',
    'http.response.status_code',
    'url.template',
    'server.address',
    'weather_landscape.zip',
    'weather_landscape.format',
    'weather_landscape.run.trigger',
    ['weather_landscape.run.id', (v) => (/^[0-9a-f]{32}$/.test(String(v)) ? '<32 hex>' : JSON.stringify(v))],
    'weather_landscape.request_id',
    'messaging.destination.name',
    'messaging.operation.name',
    'messaging.batch.message_count',
    'messaging.cloudflare_queues.outcome',
    'db.operation.name',
    ['cloudflare.kv.key', (v) => `${String(v).split(':')[0]}:…`],
    ['cloudflare.kv.list.prefix', (v) => `${String(v).split(':')[0]}:…`],
    ['cloudflare.r2.key', (v) => JSON.stringify(String(v).replace(/^\d{5}\//, '{zip}/'))],
    'landscape.width',
    'landscape.height',
    'landscape.content_type',
    'error.type',
  ],
  // The run's words are on every span (asserted elsewhere); shown only where they change, to keep the text readable.
  inherited: ['weather_landscape.zip', 'weather_landscape.format', 'weather_landscape.run.trigger', 'weather_landscape.run.id', 'weather_landscape.request_id'],
  sortBy: (span) => {
    const key = span.attributes['cloudflare.kv.key'] ?? span.attributes['cloudflare.kv.list.prefix'];
    return [sortText(span.attributes['weather_landscape.format']), key ? sortText(key).split(':')[0] : ''];
  },
};

export function traceSnapshot(spans: readonly SpanInput[]): string {
  return snapshotOf(spans, SETTINGS);
}
