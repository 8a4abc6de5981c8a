import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';

/**
 * A context that adds (or hides) one value on top of another without copying it. The API's own
 * Context copies its whole Map for every value set, and each queue message's context is set four
 * times (the batch span removed, the carrier's parent, the context attributes, the `process` span).
 * A lookup walks the layers down to the context wrapped first; a message's work adds a handful.
 */
class LayeredContext implements Context {
  /**
   * Never read: one layer alive for the isolate's life, so that the class's shape outlives every
   * invocation (shape-keeper.ts says why). Held by the class: a module's constant that no function
   * reads is collected (seen with a WeakRef, Node 24).
   */
  static readonly kept: Context = new LayeredContext(ROOT_CONTEXT, undefined, undefined);

  constructor(
    private readonly below: Context,
    private readonly key: symbol | undefined,
    private readonly value: unknown,
  ) {}

  getValue(key: symbol): unknown {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the walk starts here
    let layer: Context = this;
    while (layer instanceof LayeredContext) {
      if (layer.key === key) return layer.value;
      layer = layer.below;
    }
    return layer.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return new LayeredContext(this, key, value);
  }

  /** As the API's: the key then reads undefined. */
  deleteValue(key: symbol): Context {
    return new LayeredContext(this, key, undefined);
  }
}

/** `context` with the same values, whose derived contexts are layers instead of copies. */
export function layered(context: Context): Context {
  return context instanceof LayeredContext ? context : new LayeredContext(context, undefined, undefined);
}
