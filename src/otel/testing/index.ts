/**
 * Test helpers of src/otel, for Node (vitest): span-tree assertions over exported spans, a stable
 * text snapshot of a trace, and a real OTLP/HTTP receiver to export to. Not for workers: the
 * receiver needs node:http. Usage: ../README.md.
 */
export {
  buildSpanForest,
  expectSpanTree,
  formatSpanTree,
  fromReceivedSpan,
  fromSdkSpan,
  toTreeInput,
  type ExpectSpanTreeOptions,
  type FormatSpanTreeOptions,
  type SpanInput,
  type SpanMatcher,
  type SpanNode,
  type TreeSpan,
} from './span-tree';
export { DEFAULT_SHOWN_ATTRIBUTES, traceSnapshot, type ShownAttribute, type TraceSnapshotOptions } from './trace-snapshot';
export {
  normalizeLogs,
  normalizeTraces,
  otlpProto,
  startOtlpReceiver,
  type AttributeValue,
  type Attributes,
  type OtlpReceiver,
  type OtlpReceiverOptions,
  type ReceivedLog,
  type ReceivedPost,
  type ReceivedSpan,
  type ReceiverMode,
  type SpanKindName,
  type StatusCodeName,
} from './otlp-receiver';
