/**
 * A trace as readable, stable text for a snapshot kept in the repo (like the golden images):
 * services, names, kinds, nesting and the attributes an engineer reads in Jaeger, with no ids,
 * times or values that change from run to run. Siblings are ordered by what they are (name,
 * then their words), not by time: concurrent branches finish in any order.
 */
import { buildSpanForest, type SpanInput, type SpanNode } from './span-tree';

/** Attributes shown, in this order; values that vary per run are replaced by their shape. */
const SHOWN: Array<[key: string, show?: (value: unknown) => string]> = [
  ['http.route'],
  ['http.response.status_code'],
  ['url.template'],
  ['server.address'],
  ['weather_landscape.zip'],
  ['weather_landscape.format'],
  ['weather_landscape.run.trigger'],
  ['weather_landscape.run.id', (v) => (/^[0-9a-f]{32}$/.test(String(v)) ? '<32 hex>' : JSON.stringify(v))],
  ['weather_landscape.request_id'],
  ['messaging.destination.name'],
  ['messaging.operation.name'],
  ['messaging.batch.message_count'],
  ['messaging.cloudflare_queues.outcome'],
  ['db.operation.name'],
  ['cloudflare.kv.key', (v) => `${String(v).split(':')[0]}:…`],
  ['cloudflare.kv.list.prefix', (v) => `${String(v).split(':')[0]}:…`],
  ['cloudflare.r2.key', (v) => JSON.stringify(String(v).replace(/^\d{5}\//, '{zip}/'))],
  ['landscape.width'],
  ['landscape.height'],
  ['landscape.content_type'],
  ['error.type'],
];

/** The run's words are on every span (asserted elsewhere); shown only where they change, to keep the text readable. */
const INHERITED = new Set(['weather_landscape.zip', 'weather_landscape.format', 'weather_landscape.run.trigger', 'weather_landscape.run.id', 'weather_landscape.request_id']);

function line(node: SpanNode, parent?: SpanNode): string {
  const { span } = node;
  const words = SHOWN.flatMap(([key, show]) => {
    const value = span.attributes[key];
    if (value === undefined || (INHERITED.has(key) && parent?.span.attributes[key] === value)) return [];
    // How the runtime batched the consumers' messages varies from run to run; what was sent does not.
    if (key === 'messaging.batch.message_count' && span.kind === 'CONSUMER') return [];
    return [`${key}=${show ? show(value) : JSON.stringify(value)}`];
  });
  const status = span.status.code === 'ERROR' ? ' ERROR' : '';
  return `${'  '.repeat(node.depth)}${span.name} [${span.kind}] ${span.serviceName}${status}${words.length ? ` {${words.join(', ')}}` : ''}`;
}

function sortKey(node: SpanNode): string {
  const a = node.span.attributes;
  const key = a['cloudflare.kv.key'] ?? a['cloudflare.kv.list.prefix'];
  return [node.span.name, a['weather_landscape.format'] ?? '', key ? String(key).split(':')[0] : ''].join('\u0000');
}

function render(nodes: readonly SpanNode[], parent?: SpanNode): string[] {
  return [...nodes]
    .sort((x, y) => (sortKey(x) < sortKey(y) ? -1 : sortKey(x) > sortKey(y) ? 1 : 0))
    .flatMap((node) => [line(node, parent), ...render(node.children, node)]);
}

export function traceSnapshot(spans: readonly SpanInput[]): string {
  return `${render(buildSpanForest(spans)).join('\n')}\n`;
}
