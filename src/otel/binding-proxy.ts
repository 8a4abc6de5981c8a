import { SpanKind, type Attributes } from '@opentelemetry/api';
import { inLeafSpan, tracerFor } from './spans';

/** The template of a storage key (`run:{id}` for `run:6e0c…`), or undefined when it has none. */
export type KeyTemplate = (key: string) => string | undefined;

export interface BindingOperations {
  /** The tracer scope of these spans. */
  scope: 'kv' | 'r2';
  /** The binding's name, the span's target when the operation names no key (`list CONFIG`). */
  namespace: string;
  /** Attributes of every span of this binding. */
  common: Attributes;
  /** The template of the key an operation targets, for span names; without one, the namespace is. */
  keyTemplate?: KeyTemplate;
  /**
   * The traced methods, each with the key (or list prefix) it targets and the attributes read from
   * its arguments and its result.
   */
  operations: Record<
    string,
    { key?: (args: unknown[]) => string | undefined; before?: (args: unknown[]) => Attributes; after?: (result: unknown, args: unknown[]) => Attributes }
  >;
}

/**
 * A binding (KV namespace, R2 bucket) whose listed methods each run in a CLIENT span named the way
 * the database conventions name a span, `{db.operation.name} {target}`, the target being the
 * template of the key (`put run:{id}`, `head {zip}/bw.bmp`, `list formats:{zip}`) or else the
 * binding (`list WEATHER_IMAGES`); everything else passes through untouched.
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
    const common: Attributes = { ...spec.common, 'db.operation.name': String(prop) };
    const byNamespace = `${String(prop)} ${spec.namespace}`;
    const nameOf = (args: unknown[]): string => {
      const key = operation.key?.(args);
      const template = key === undefined ? undefined : spec.keyTemplate?.(key);
      return template === undefined ? byNamespace : `${String(prop)} ${template}`;
    };
    return (...args: unknown[]) => {
      const attributes = operation.before ? { ...common, ...operation.before(args) } : common;
      return inLeafSpan(tracer, nameOf(args), { kind: SpanKind.CLIENT, attributes }, (span) =>
        value.apply(target, args).then((result) => {
          if (operation.after) span.setAttributes(operation.after(result, args));
          return result;
        }),
      );
    };
  }
}
