/**
 * Counts the operations made on KV/R2 bindings, each as `<system> <binding> <method>` (`KV CONFIG get`,
 * `R2 WEATHER_IMAGES list`: the spans' `db.system.name`, `db.namespace` and `db.operation.name`), by wrapping the bindings the worker is given. Counts what the code
 * asks for, whatever the tracing settings.
 */
export class OpCounter {
  counts: Record<string, number> = {};

  /** `binding` with every method call counted as `<prefix> <method>`, e.g. `KV CONFIG`. */
  wrap<T extends object>(binding: T, prefix: string): T {
    return new Proxy(binding, {
      get: (target, prop) => {
        const value = Reflect.get(target, prop);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        return (...args: unknown[]): unknown => {
          const name = `${prefix} ${prop}`;
          this.counts[name] = (this.counts[name] ?? 0) + 1;
          return value.apply(target, args);
        };
      },
    });
  }

  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  reset(): void {
    this.counts = {};
  }
}
