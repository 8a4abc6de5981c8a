import type { InstrumentOptions } from '../otel';
import type { Env } from '../env';
import { storageKeyTemplate } from '../storage/key-templates';
import { LOG_FIELDS } from './log-fields';
import { runAttributesOfBody } from './run-attributes';

/**
 * What this application tells src/otel about itself, the same for all four workers: its names (the
 * resource's `service.namespace`, the scope prefix `weather-landscape.kv`…, the attribute namespace
 * `weather_landscape.link`…), the run's words read from queue bodies and written on log lines, and
 * the templates its storage keys name spans by, and where to look when exports fail.
 */
export const WORKER_TRACING = {
  serviceNamespace: 'weather-landscape',
  scopePrefix: 'weather-landscape',
  attributeNamespace: 'weather_landscape',
  bodyAttributes: runAttributesOfBody,
  logFields: LOG_FIELDS,
  keyTemplate: storageKeyTemplate,
  exportFailureAdvice:
    'Start a receiver (`npm run trace-view`, or Jaeger: `docker compose -f docker-compose.jaeger.yml up -d`), ' +
    'point OTEL_EXPORTER_OTLP_ENDPOINT at your collector, or set OTEL_SDK_DISABLED=true to switch tracing off.',
} satisfies InstrumentOptions<Env>;
