/**
 * OpenTelemetry for Cloudflare Workers and Queues: the public entry (README.md beside it).
 * Workerd-safe: nothing here needs Node beyond what `nodejs_compat` gives. Test helpers (span-tree
 * assertions, trace snapshots, an OTLP receiver) are in ./testing, which runs in Node.
 */

// Instrument a worker: its handlers, its bindings (KV, R2, queue producers), fetch, the log bridge.
export { instrumentWorker, registerSpanExporter, type InstrumentOptions } from './instrument';
export type { QueueBindings } from './bindings';
export type { KeyTemplate } from './binding-proxy';
export { isTracingDisabled, readOtelSettings, type OtelEnv, type OtelSettings } from './config';
export type { TelemetryNames } from './names';

// The queue carrier: W3C trace context inside a message body.
export { CARRIER_KEY, extractCarrier, withCarrier, type Carrier, type CarrierStatus, type ExtractedMessage } from './queue-carrier';

// Producer instrumentation (applied by instrumentWorker to every queue binding; usable alone).
export { instrumentQueueProducer, withMessageParents, type QueueProducerOptions } from './queue-producer';
export { inNewTraces, type NewTrace } from './schedule';

// Consumer instrumentation: one `process <queue>` span per message.
export {
  endProcessSpan,
  inProcessSpan,
  markDeadLetter,
  markRetry,
  outsideBatchSpan,
  startProcessSpan,
  type ProcessSpan,
  type ProcessSpanOptions,
} from './queue-consumer';
export * from './messaging-attributes';

// Span helpers.
export { activeTraceId, activeTraceparent, annotateActiveSpan, asError, inLeafSpan, inSpan, linkActiveSpan, recordError, tracerFor } from './spans';
export { keepAsFailureRecord, keptForErrorAttribute } from './span-processor';

// Context attributes: on every span started under a context, and on every log line.
export { getContextAttributes, labelActiveSpan, setContextAttributes, withContextAttributes, type BodyAttributes } from './context-attributes';

// HTTP: Hono route names, untrusted incoming trace context.
export { routeTemplate, traceRoute, type TraceRouteOptions } from './http-route';
export { linkUntrustedParent } from './untrusted-parent';

// Log bridge (installed by instrumentWorker; usable alone).
export { formatLogLine, installLogBridge, type LogBridgeOptions } from './log-bridge';

// Sampler options.
export { ParentRatioSampler, type ParentRatioSamplerOptions } from './sampler';

// Cloudflare's native tracing (Workers tracing), linked both ways.
export { ATTR_CLOUDFLARE_SPAN_ID, ATTR_CLOUDFLARE_TRACE_ID, nativeOtelTraceIdAttribute, useNativeTracing, type NativeTracing } from './native-tracing';

// Redaction: what exported spans and log lines go through, for the application's own text too.
export { isSecretKey, REDACTED, redactAttributes, redactString, redactText, redactUnknown, redactValue, secretsIn } from './redact';
