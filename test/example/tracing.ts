/**
 * What both workers of the example tell src/otel: their names, and the context attribute a job
 * message carries (`example.task`), read from its body and written on every span and log line.
 */
import type { InstrumentOptions } from '../../src/otel';

export const ATTR_TASK = 'example.task';

export const EXAMPLE_TRACING = {
  serviceNamespace: 'otel-example',
  scopePrefix: 'otel-example',
  attributeNamespace: 'otel_example',
  // Read from the raw body: keep only values that look right.
  bodyAttributes: (body) => {
    const task = (body as { task?: unknown } | null)?.task;
    return typeof task === 'string' && task.length <= 64 ? { [ATTR_TASK]: task } : {};
  },
  logFields: { [ATTR_TASK]: 'task' },
} satisfies InstrumentOptions;
