/**
 * The dispatcher's handler with otel-cf-workers' DEFAULT span processor (BatchTraceSpanProcessor,
 * one export per trace) instead of our InvocationSpanProcessor: only for the export-cost figure.
 * Same consumer and pipeline code as src/workers/dispatcher.ts; only the instrument() config differs.
 */
import { instrument, type ResolveConfigFn } from '@microlabs/otel-cf-workers';
import type { Env } from '../../src/env';
import { SERVICE_NAMES } from '../../src/tracing/service-names';
import { dispatchJobs } from '../../src/pipeline/dispatch-jobs';
import { consumeBatch } from '../../src/queue/consumer';
import { QUEUES } from '../../src/queue/queues';

const handler: ExportedHandler<Env> = {
  async queue(batch, env) {
    await consumeBatch(batch, env, QUEUES['weather-ready'], (event) => dispatchJobs(env, event));
  },
};

const config: ResolveConfigFn<Env> = (env) => ({
  exporter: { url: `${(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318').replace(/\/+$/, '')}/v1/traces` },
  service: { name: SERVICE_NAMES.dispatcher },
});

export default instrument(handler, config);
