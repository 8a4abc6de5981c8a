/**
 * The names this library writes that belong to the application using it: the prefix of its
 * instrumentation scopes and the namespace of its own attributes. Set once per isolate by
 * instrumentWorker, before the first span (a tracer keeps the scope name it was made with).
 */
export interface TelemetryNames {
  /** Instrumentation scopes are `<scopePrefix>.<what>`: `.kv`, `.r2`, `.queue`, `.fetch`, `.schedule`, and the application's own. */
  scopePrefix: string;
  /**
   * The library's own attributes are `<attributeNamespace>.<name>`: `.link` (why a span links
   * another), `.sampling.kept_for_error`, and `.trace_id` on Cloudflare's native span.
   */
  attributeNamespace: string;
}

const names: TelemetryNames = { scopePrefix: 'workers-otel', attributeNamespace: 'workers_otel' };

export function setTelemetryNames(given: Partial<TelemetryNames>): void {
  if (given.scopePrefix !== undefined) names.scopePrefix = given.scopePrefix;
  if (given.attributeNamespace !== undefined) names.attributeNamespace = given.attributeNamespace;
}

/** `<scopePrefix>.<scope>` */
export function scopeName(scope: string): string {
  return `${names.scopePrefix}.${scope}`;
}

/** `<attributeNamespace>.<name>` */
export function ownAttribute(name: string): string {
  return `${names.attributeNamespace}.${name}`;
}
