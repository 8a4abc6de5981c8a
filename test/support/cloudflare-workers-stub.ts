/**
 * `cloudflare:workers` for the Node test project: what otel-cf-workers and src/otel import from it
 * at load time. No `tracing` export: src/otel/native-tracing.ts then sees a runtime without it.
 */
export class DurableObject {}
export class WorkerEntrypoint {}
export class WorkflowEntrypoint {}
export const env = {};
