import { SpanKind, type Attributes } from '@opentelemetry/api';
import { inLeafSpan, tracerFor } from './spans';

export interface BindingOperations {
  /** The tracer scope of these spans. */
  scope: 'kv' | 'r2';
  /** Span name prefix, e.g. `KV CONFIG` gives `KV CONFIG get`. */
  prefix: string;
  /** Attributes of every span of this binding. */
  common: Attributes;
  /** The traced methods, each with the attributes read from its arguments and its result. */
  operations: Record<string, { before?: (args: unknown[]) => Attributes; after?: (result: unknown, args: unknown[]) => Attributes }>;
}

/**
 * A binding (KV namespace, R2 bucket) whose listed methods each run in a CLIENT span
 * `<prefix> <operation>`; everything else passes through untouched.
 */
export function instrumentBinding<T extends object>(binding: T, spec: BindingOperations): T {
  const tracer = tracerFor(spec.scope);
  // One wrapper per method, made on first use: the binding lives as long as the isolate.
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(binding, {
    get(target, prop) {
      const cached = methods.get(prop);
      if (cached) return cached;
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const method = wrap(target, prop, value as (...args: unknown[]) => Promise<unknown>);
      methods.set(prop, method);
      return method;
    },
  });

  function wrap(target: T, prop: PropertyKey, value: (...args: unknown[]) => Promise<unknown>): unknown {
    const operation = typeof prop === 'string' ? spec.operations[prop] : undefined;
    if (!operation) return value.bind(target);
    const name = `${spec.prefix} ${String(prop)}`;
    const common: Attributes = { ...spec.common, 'db.operation.name': String(prop) };
    return (...args: unknown[]) => {
      const attributes = operation.before ? { ...common, ...operation.before(args) } : common;
      return inLeafSpan(tracer, name, { kind: SpanKind.CLIENT, attributes }, (span) =>
        value.apply(target, args).then((result) => {
          if (operation.after) span.setAttributes(operation.after(result, args));
          return result;
        }),
      );
    };
  }
}
