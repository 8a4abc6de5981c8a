/**
 * Span trees for tests and the trace-view CLI.
 *
 * - `expectSpanTree` asserts that spans form an expected parent/child shape and,
 *   when they don't, throws a message with both trees and the first mismatch.
 * - `formatSpanTree` renders spans as a terminal waterfall.
 *
 * Both accept OTLP spans from the test receiver and SDK `ReadableSpan`s
 * (e.g. from an InMemorySpanExporter), via `toTreeInput`.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { ReadableSpan as SdkReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReceivedSpan, SpanKindName, StatusCodeName } from './otlp-receiver';

// ---------------------------------------------------------------------------
// Input adapters

/** The common shape both span sources are reduced to. */
export interface TreeSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKindName;
  serviceName: string;
  attributes: Record<string, unknown>;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  status: { code: StatusCodeName; message?: string };
}

export type SpanInput = ReceivedSpan | SdkReadableSpan;

const SDK_KIND_NAMES: Record<SpanKind, SpanKindName> = {
  [SpanKind.INTERNAL]: 'INTERNAL',
  [SpanKind.SERVER]: 'SERVER',
  [SpanKind.CLIENT]: 'CLIENT',
  [SpanKind.PRODUCER]: 'PRODUCER',
  [SpanKind.CONSUMER]: 'CONSUMER',
};
const SDK_STATUS_NAMES: Record<SpanStatusCode, StatusCodeName> = {
  [SpanStatusCode.UNSET]: 'UNSET',
  [SpanStatusCode.OK]: 'OK',
  [SpanStatusCode.ERROR]: 'ERROR',
};

function isSdkSpan(span: SpanInput): span is SdkReadableSpan {
  return typeof (span as SdkReadableSpan).spanContext === 'function';
}

function hrTimeToNanos([seconds, nanos]: readonly [number, number]): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
}

/** Times may be strings when spans went through JSON (e.g. from a control endpoint). */
export function fromReceivedSpan(span: ReceivedSpan): TreeSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: span.kind,
    serviceName: span.serviceName,
    attributes: span.attributes,
    startTimeUnixNano: BigInt(span.startTimeUnixNano),
    endTimeUnixNano: BigInt(span.endTimeUnixNano),
    status: span.status,
  };
}

/** SDK 2.x: parent is `parentSpanContext`, kind is the API's SpanKind number. */
export function fromSdkSpan(span: SdkReadableSpan): TreeSpan {
  const { traceId, spanId } = span.spanContext();
  const parentSpanId = span.parentSpanContext?.spanId;
  const serviceName = span.resource.attributes[ATTR_SERVICE_NAME];
  return {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name: span.name,
    kind: SDK_KIND_NAMES[span.kind] ?? 'INTERNAL',
    serviceName: typeof serviceName === 'string' ? serviceName : 'unknown_service',
    attributes: { ...span.attributes },
    startTimeUnixNano: hrTimeToNanos(span.startTime),
    endTimeUnixNano: hrTimeToNanos(span.endTime),
    status: {
      code: SDK_STATUS_NAMES[span.status.code] ?? 'UNSET',
      ...(span.status.message ? { message: span.status.message } : {}),
    },
  };
}

export function toTreeInput(spans: readonly SpanInput[]): TreeSpan[] {
  return spans.map((span) => (isSdkSpan(span) ? fromSdkSpan(span) : fromReceivedSpan(span)));
}

// ---------------------------------------------------------------------------
// Forest

export interface SpanNode {
  span: TreeSpan;
  children: SpanNode[];
  depth: number;
}

const byStart = (a: SpanNode, b: SpanNode) =>
  a.span.startTimeUnixNano < b.span.startTimeUnixNano ? -1 : a.span.startTimeUnixNano > b.span.startTimeUnixNano ? 1 : 0;

/**
 * Roots are spans without a parent *in this set*: a Worker's entry span often
 * has a remote parent (an incoming traceparent) that was never exported here.
 */
export function buildSpanForest(spans: readonly SpanInput[]): SpanNode[] {
  const nodes = toTreeInput(spans).map((span): SpanNode => ({ span, children: [], depth: 0 }));
  const key = (traceId: string, spanId: string) => `${traceId}/${spanId}`;
  const byId = new Map(nodes.map((node) => [key(node.span.traceId, node.span.spanId), node]));
  const roots: SpanNode[] = [];
  for (const node of nodes) {
    const parent = node.span.parentSpanId ? byId.get(key(node.span.traceId, node.span.parentSpanId)) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const setDepth = (node: SpanNode, depth: number) => {
    node.depth = depth;
    node.children.sort(byStart);
    for (const child of node.children) setDepth(child, depth + 1);
  };
  for (const root of roots) setDepth(root, 0);
  return roots.sort(byStart);
}

function preOrder(nodes: readonly SpanNode[]): SpanNode[] {
  return nodes.flatMap((node) => [node, ...preOrder(node.children)]);
}

// ---------------------------------------------------------------------------
// Matchers

export interface SpanMatcher {
  name: string | RegExp;
  kind?: SpanKindName;
  service?: string;
  /**
   * Per key: a RegExp (tested against the value as a string), a predicate, or a
   * value compared deeply. `undefined` means the attribute must be absent.
   */
  attributes?: Record<string, unknown>;
  children?: SpanMatcher[];
  /** Exactly this many siblings must match (each a distinct span). Default: at least one. */
  count?: number;
}

export interface ExpectSpanTreeOptions {
  /** 'root' (default): `expected` must match a root span; 'any': any span in the forest. */
  root?: 'root' | 'any';
  /** No extra children anywhere in the matched tree; a matcher without count stands for one span. */
  exact?: boolean;
}

/** Resets lastIndex first: a /g or /y RegExp would otherwise alternate between results. */
function regExpMatches(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

function nameMatches(name: string, expected: string | RegExp): boolean {
  return typeof expected === 'string' ? name === expected : regExpMatches(expected, name);
}

/** An attribute value as text: strings as they are, anything else as JSON (never `[object Object]`). */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : (JSON.stringify(value) ?? String(value));
}

function attributeMatches(actual: unknown, expected: unknown): boolean {
  if (expected instanceof RegExp) return actual !== undefined && regExpMatches(expected, asText(actual));
  if (typeof expected === 'function') return (expected as (value: unknown) => boolean)(actual);
  return deepEqual(actual, expected);
}

/** Structural equality for attribute values (no node:util, so this also runs inside workerd). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const aKeys = Object.keys(a);
  return aKeys.length === Object.keys(b).length && aKeys.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** The first own-property mismatch (name, kind, service, attributes), without children. */
function ownMismatch(span: TreeSpan, m: SpanMatcher): string | undefined {
  const label = quote(span.name);
  if (!nameMatches(span.name, m.name)) return `expected span ${describeName(m.name)} but found ${label}`;
  if (m.kind && span.kind !== m.kind) return `${label} has kind ${span.kind}, expected ${m.kind}`;
  if (m.service && span.serviceName !== m.service) {
    return `${label} is from service ${quote(span.serviceName)}, expected ${quote(m.service)}`;
  }
  for (const [key, expected] of Object.entries(m.attributes ?? {})) {
    const actual = span.attributes[key];
    if (attributeMatches(actual, expected)) continue;
    const got = actual === undefined ? 'it is missing' : `got ${formatValue(actual)}`;
    return `${label} attribute ${key}: expected ${describeExpectation(expected)}, ${got}`;
  }
  return undefined;
}

class TreeMatcher {
  private readonly memo = new Map<SpanNode, Map<SpanMatcher, boolean>>();

  constructor(private readonly exact: boolean) {}

  matches(node: SpanNode, m: SpanMatcher): boolean {
    let byMatcher = this.memo.get(node);
    if (!byMatcher) this.memo.set(node, (byMatcher = new Map<SpanMatcher, boolean>()));
    let result = byMatcher.get(m);
    if (result === undefined) {
      result = ownMismatch(node.span, m) === undefined && this.childrenMismatch(node, m) === undefined;
      byMatcher.set(m, result);
    }
    return result;
  }

  /** Describes why `node`'s children don't satisfy `m.children`, or undefined if they do. */
  childrenMismatch(node: SpanNode, m: SpanMatcher): ChildrenMismatch | undefined {
    const expectedChildren = m.children ?? [];
    const parent = quote(node.span.name);
    for (const child of expectedChildren) {
      const matching = node.children.filter((c) => this.matches(c, child));
      const wanted = child.count ?? 1;
      const countText = child.count === undefined ? '' : ` ×${child.count}`;
      if (matching.length < wanted) {
        const near = this.nearest(
          node.children.filter((c) => !matching.includes(c)),
          child,
        );
        return {
          kind: 'missing',
          matcher: child,
          parent: node,
          near,
          message: `missing child ${describeName(child.name)}${countText} under ${parent} (found ${matching.length})`,
        };
      }
      if (child.count !== undefined && matching.length > child.count) {
        return {
          kind: 'too-many',
          matcher: child,
          parent: node,
          message: `too many children ${describeName(child.name)} under ${parent}: expected ×${child.count}, found ${matching.length}`,
        };
      }
    }
    const slots = expectedChildren.flatMap((child) => Array<SpanMatcher>(child.count ?? 1).fill(child));
    const assignment = this.assign(node.children, slots);
    if (assignment.size < slots.length) {
      return {
        kind: 'overlap',
        matcher: m,
        parent: node,
        message: `children of ${parent} cannot be told apart: ${slots.length} expected children need distinct spans, only ${assignment.size} could be assigned`,
      };
    }
    if (this.exact) {
      const extra = node.children.find((c) => !assignment.has(c));
      if (extra) {
        return {
          kind: 'unexpected',
          matcher: m,
          parent: node,
          extra,
          message: `unexpected child ${quote(extra.span.name)} [${extra.span.kind}] under ${parent} (exact)`,
        };
      }
    }
    return undefined;
  }

  /** Maximum bipartite matching (Kuhn's augmenting paths) of actual children onto expected slots. */
  private assign(children: readonly SpanNode[], slots: readonly SpanMatcher[]): Map<SpanNode, number> {
    const slotOfChild = new Map<SpanNode, number>();
    const augment = (slot: number, visited: Set<SpanNode>): boolean => {
      for (const child of children) {
        if (visited.has(child) || !this.matches(child, slots[slot])) continue;
        visited.add(child);
        // A child already holding a slot may move if that slot finds another child.
        const held = slotOfChild.get(child);
        if (held === undefined || augment(held, visited)) {
          slotOfChild.set(child, slot);
          return true;
        }
      }
      return false;
    };
    slots.forEach((_, slot) => augment(slot, new Set()));
    return slotOfChild;
  }

  /** The candidate that gets furthest through `m`, preferring same-named spans; undefined if no name matches. */
  nearest(candidates: readonly SpanNode[], m: SpanMatcher): SpanNode | undefined {
    let best: SpanNode | undefined;
    let bestScore = 0;
    for (const candidate of candidates) {
      const score = this.score(candidate, m);
      if (score > bestScore) [best, bestScore] = [candidate, score];
    }
    return best;
  }

  private score(node: SpanNode, m: SpanMatcher): number {
    const { span } = node;
    if (!nameMatches(span.name, m.name)) return 0;
    let score = 1;
    if (!m.kind || span.kind === m.kind) score++;
    if (!m.service || span.serviceName === m.service) score++;
    for (const [key, expected] of Object.entries(m.attributes ?? {})) {
      if (attributeMatches(span.attributes[key], expected)) score++;
    }
    for (const child of m.children ?? []) {
      score += Math.max(0, ...node.children.map((c) => this.score(c, child)));
    }
    return score;
  }
}

interface ChildrenMismatch {
  kind: 'missing' | 'too-many' | 'overlap' | 'unexpected';
  matcher: SpanMatcher;
  parent: SpanNode;
  near?: SpanNode;
  extra?: SpanNode;
  message: string;
}

/** Where a comparison went wrong: the expected node to mark, the actual node to mark, and why. */
interface Mismatch {
  matcher: SpanMatcher;
  node?: SpanNode;
  message: string;
}

/** Walks `node` against `m` top-down and reports the first thing that differs. */
function diagnose(tree: TreeMatcher, node: SpanNode, m: SpanMatcher): Mismatch | undefined {
  const own = ownMismatch(node.span, m);
  if (own) return { matcher: m, node, message: own };
  const children = tree.childrenMismatch(node, m);
  if (!children) return undefined;
  if (children.kind === 'missing' && children.near) {
    const deeper = diagnose(tree, children.near, children.matcher);
    // With a single expected span, the near miss *is* the problem; with a
    // count, say how many matched and why the next one didn't.
    if (deeper && children.matcher.count === undefined) return deeper;
    if (deeper) return { ...deeper, message: `${children.message}; nearest: ${deeper.message}` };
  }
  const marked = children.kind === 'unexpected' ? children.extra : children.parent;
  return { matcher: children.matcher, node: marked, message: children.message };
}

// ---------------------------------------------------------------------------
// expectSpanTree

/**
 * Asserts that `spans` contain a tree shaped like `expected` and returns the
 * matched root node. Children match as an unordered set: each expected child
 * needs its own actual span; extra actual children are fine unless `exact`.
 */
export function expectSpanTree(spans: readonly SpanInput[], expected: SpanMatcher, options: ExpectSpanTreeOptions = {}): SpanNode {
  const forest = buildSpanForest(spans);
  const tree = new TreeMatcher(options.exact ?? false);
  const candidates = options.root === 'any' ? preOrder(forest) : forest;
  const matched = candidates.find((node) => tree.matches(node, expected));
  if (matched) return matched;

  const near = tree.nearest(candidates, expected);
  const where = options.root === 'any' ? 'span' : 'root span';
  const mismatch: Mismatch = near
    ? diagnose(tree, near, expected)!
    : {
        matcher: expected,
        message:
          candidates.length === 0
            ? `no spans to match ${describeName(expected.name)} against`
            : `no ${where} named ${describeName(expected.name)} (${where}s: ${[...new Set(candidates.map((c) => quote(c.span.name)))].join(', ')})`,
      };
  throw new Error(renderFailure(mismatch, expected, near ? rootOf(forest, near) : forest));
}

function rootOf(forest: readonly SpanNode[], node: SpanNode): SpanNode[] {
  return forest.filter((root) => root.span.traceId === node.span.traceId && preOrder([root]).includes(node));
}

// ---------------------------------------------------------------------------
// Failure rendering

const MARK = '✗ ';
const NO_MARK = '  ';
const MAX_ACTUAL_LINES = 200;
const MAX_VALUE_LENGTH = 60;

function renderFailure(mismatch: Mismatch, expected: SpanMatcher, actualRoots: readonly SpanNode[]): string {
  const expectedLines = renderMatcher(expected, 0, mismatch.matcher);
  const actualNodes = preOrder(actualRoots);
  const actualLines = actualNodes
    .slice(0, MAX_ACTUAL_LINES)
    .map((node) => `${node === mismatch.node ? MARK : NO_MARK}${'  '.repeat(node.depth)}${describeSpan(node.span)}`);
  if (actualNodes.length > MAX_ACTUAL_LINES) actualLines.push(`${NO_MARK}… ${actualNodes.length - MAX_ACTUAL_LINES} more`);
  return [
    `expectSpanTree: ${MARK}${mismatch.message}`,
    '',
    'expected:',
    ...expectedLines,
    '',
    `actual${actualRoots.length === 1 ? ` (trace ${actualRoots[0].span.traceId})` : ''}:`,
    ...(actualLines.length ? actualLines : [`${NO_MARK}(no spans)`]),
  ].join('\n');
}

function renderMatcher(m: SpanMatcher, depth: number, marked: SpanMatcher): string[] {
  const parts = [describeName(m.name)];
  if (m.kind) parts.push(`[${m.kind}]`);
  if (m.service) parts.push(m.service);
  const attributes = Object.entries(m.attributes ?? {}).map(([key, value]) => `${key}=${describeExpectation(value)}`);
  if (attributes.length) parts.push(`{${attributes.join(', ')}}`);
  if (m.count !== undefined) parts.push(`×${m.count}`);
  const line = `${m === marked ? MARK : NO_MARK}${'  '.repeat(depth)}${parts.join(' ')}`;
  return [line, ...(m.children ?? []).flatMap((child) => renderMatcher(child, depth + 1, marked))];
}

function describeSpan(span: TreeSpan): string {
  const attributes = Object.entries(span.attributes).map(([key, value]) => `${key}=${formatValue(value)}`);
  const status = span.status.code === 'ERROR' ? ' !ERROR' : '';
  return `${quote(span.name)} [${span.kind}] ${span.serviceName}${status}${attributes.length ? ` {${attributes.join(', ')}}` : ''}`;
}

function quote(name: string): string {
  return `'${name}'`;
}

function describeName(name: string | RegExp): string {
  return typeof name === 'string' ? quote(name) : String(name);
}

function describeExpectation(expected: unknown): string {
  if (expected instanceof RegExp) return `matching ${expected}`;
  if (typeof expected === 'function') return `<${expected.name || 'predicate'}>`;
  if (expected === undefined) return '<absent>';
  return formatValue(expected);
}

function formatValue(value: unknown): string {
  const text = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

// ---------------------------------------------------------------------------
// Waterfall

export interface FormatSpanTreeOptions {
  /** Width of the timeline bar in characters (default 40). */
  barWidth?: number;
  /**
   * Attributes a branch is labelled with where it starts (where the value differs from the
   * parent's), as `[attribute, label]`: `[['shop.order.id', 'order']]` shows `(order=42)`. None by default.
   */
  branchAttributes?: ReadonlyArray<readonly [attribute: string, label: string]>;
}

/**
 * One block per trace: offset from the trace start, duration, the span label
 * indented by depth, and a bar placed on the trace's own timeline.
 */
export function formatSpanTree(spans: readonly SpanInput[], options: FormatSpanTreeOptions = {}): string {
  const barWidth = options.barWidth ?? 40;
  const branchAttributes = options.branchAttributes ?? [];
  const byTrace = new Map<string, SpanNode[]>();
  for (const root of buildSpanForest(spans)) {
    byTrace.set(root.span.traceId, [...(byTrace.get(root.span.traceId) ?? []), root]);
  }
  return [...byTrace.entries()].map(([traceId, roots]) => formatTrace(traceId, roots, barWidth, branchAttributes)).join('\n\n');
}

function formatTrace(
  traceId: string,
  roots: readonly SpanNode[],
  barWidth: number,
  branchAttributes: NonNullable<FormatSpanTreeOptions['branchAttributes']>,
): string {
  const nodes = preOrder(roots);
  const start = nodes.reduce((min, n) => (n.span.startTimeUnixNano < min ? n.span.startTimeUnixNano : min), nodes[0].span.startTimeUnixNano);
  const end = nodes.reduce((max, n) => (n.span.endTimeUnixNano > max ? n.span.endTimeUnixNano : max), nodes[0].span.endTimeUnixNano);
  const total = end - start;
  const services = new Set(nodes.map((n) => n.span.serviceName));

  const attributesOf = new Map(nodes.map((n) => [n.span.spanId, n.span.attributes]));
  const rows = nodes.map((node) => {
    const { span } = node;
    const status = span.status.code === 'ERROR' ? ` !ERROR${span.status.message ? ` ${span.status.message}` : ''}` : '';
    // Each branch says what it is about where that starts (not on every row).
    const parent = span.parentSpanId ? attributesOf.get(span.parentSpanId) : undefined;
    const words = branchAttributes.flatMap(([key, label]) => {
      const value = span.attributes[key];
      return value !== undefined && parent?.[key] !== value ? [`${label}=${asText(value)}`] : [];
    });
    return {
      offset: `+${formatDuration(span.startTimeUnixNano - start)}`,
      duration: formatDuration(span.endTimeUnixNano - span.startTimeUnixNano),
      label: `${'  '.repeat(node.depth)}${span.name} [${span.kind}] ${span.serviceName}${words.length ? ` (${words.join(' ')})` : ''}${status}`,
      bar: timelineBar(span.startTimeUnixNano - start, span.endTimeUnixNano - start, total, barWidth),
    };
  });
  const width = (key: 'offset' | 'duration' | 'label') => Math.max(...rows.map((row) => [...row[key]].length));
  const [offsetWidth, durationWidth, labelWidth] = [width('offset'), width('duration'), width('label')];
  const header = `trace ${traceId}  ${formatDuration(total)}  ${nodes.length} span${nodes.length === 1 ? '' : 's'}  ${[...services].join(', ')}`;
  return [
    header,
    ...rows.map((row) => `  ${row.offset.padStart(offsetWidth)} ${row.duration.padStart(durationWidth)}  ${padEndChars(row.label, labelWidth)}  |${row.bar}|`),
  ].join('\n');
}

function timelineBar(from: bigint, to: bigint, total: bigint, width: number): string {
  if (total <= 0n) return '█'.repeat(width);
  const startCol = Math.min(width - 1, Math.floor((Number(from) / Number(total)) * width));
  const endCol = Math.max(startCol + 1, Math.ceil((Number(to) / Number(total)) * width));
  return ' '.repeat(startCol) + '█'.repeat(Math.min(width, endCol) - startCol) + ' '.repeat(Math.max(0, width - endCol));
}

function formatDuration(nanos: bigint): string {
  const ms = Number(nanos) / 1e6;
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/** padEnd by code points, so multi-byte names don't skew the bar column. */
function padEndChars(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}
