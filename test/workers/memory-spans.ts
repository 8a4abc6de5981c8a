import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { registerSpanProcessor } from '../../src/otel/instrument';

/** An in-memory exporter added to the worker's tracer provider (must run before the first invocation). */
export const memoryExporter = new InMemorySpanExporter();
registerSpanProcessor(new SimpleSpanProcessor(memoryExporter));
