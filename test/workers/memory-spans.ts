import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { registerSpanExporter } from '../../src/otel';

/** An in-memory exporter that receives exactly what the worker exports over OTLP (must be registered before the first invocation). */
export const memoryExporter = new InMemorySpanExporter();
registerSpanExporter(memoryExporter);
