/**
 * A trace as readable, stable text for a snapshot kept in the repo: services, names, kinds,
 * nesting and the attributes an engineer reads in Jaeger, with no ids, times or values that change
 * from run to run. Siblings are ordered by what they are (name, then `sortBy`), not by time:
 * concurrent branches finish in any order.
 */
import { buildSpanForest, type SpanInput, type SpanNode, type TreeSpan } from './span-tree';

/** An attribute shown in the snapshot: its key, or its key and how to show a value that varies per run by its shape. */
export type ShownAttribute = string | readonly [key: string, show: (value: unknown) => string];

export interface TraceSnapshotOptions {
  /** Attributes shown, in this order (default {@link DEFAULT_SHOWN_ATTRIBUTES}); a value is shown as JSON unless a `show` is given. */
  attributes?: readonly ShownAttribute[];
  /**
   * Attributes shown only where they change (context attributes, which every span under a job
   * carries): on a span whose parent has the same value they are left out.
   */
  inherited?: readonly string[];
  /** What orders siblings of the same name (e.g. the job part each one is about). */
  sortBy?: (span: TreeSpan) => readonly string[];
}

const keyShape = (v: unknown): string => `${String(v).split(':')[0]}:…`;

/** What this library's spans carry that says what they did (HTTP, messaging, KV, R2, errors). */
export const DEFAULT_SHOWN_ATTRIBUTES: readonly ShownAttribute[] = [
  'http.route',
  'http.response.status_code',
  'url.template',
  'server.address',
  'messaging.destination.name',
  'messaging.operation.name',
  'messaging.batch.message_count',
  'messaging.cloudflare_queues.outcome',
  'db.operation.name',
  ['cloudflare.kv.key', keyShape],
  ['cloudflare.kv.list.prefix', keyShape],
  'cloudflare.r2.key',
  'error.type',
];

export function traceSnapshot(spans: readonly SpanInput[], options: TraceSnapshotOptions = {}): string {
  const shown = (options.attributes ?? DEFAULT_SHOWN_ATTRIBUTES).map((a): readonly [string, ((value: unknown) => string) | undefined] =>
    typeof a === 'string' ? [a, undefined] : [a[0], a[1]],
  );
  const inherited = new Set(options.inherited ?? []);
  const sortKey = (node: SpanNode): string => [node.span.name, ...(options.sortBy?.(node.span) ?? [])].join('\u0000');

  function line(node: SpanNode, parent?: SpanNode): string {
    const { span } = node;
    const words = shown.flatMap(([key, show]) => {
      const value = span.attributes[key];
      if (value === undefined || (inherited.has(key) && parent?.span.attributes[key] === value)) return [];
      // How the runtime batched the consumers' messages varies from run to run; what was sent does not.
      if (key === 'messaging.batch.message_count' && span.kind === 'CONSUMER') return [];
      return [`${key}=${show ? show(value) : JSON.stringify(value)}`];
    });
    const status = span.status.code === 'ERROR' ? ' ERROR' : '';
    return `${'  '.repeat(node.depth)}${span.name} [${span.kind}] ${span.serviceName}${status}${words.length ? ` {${words.join(', ')}}` : ''}`;
  }

  function render(nodes: readonly SpanNode[], parent?: SpanNode): string[] {
    return [...nodes]
      .sort((x, y) => (sortKey(x) < sortKey(y) ? -1 : sortKey(x) > sortKey(y) ? 1 : 0))
      .flatMap((node) => [line(node, parent), ...render(node.children, node)]);
  }

  return `${render(buildSpanForest(spans)).join('\n')}\n`;
}
