import { createContextKey, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { layered } from '../../../src/otel/layered-context';
import { fullCollection, optimized } from '../../support/v8-natives';

const KEYS = ['span', 'config', 'attributes', 'suppress'].map((name) => createContextKey(name));

describe('layered (src/otel/layered-context.ts): a context derived by layers, not copies', () => {
  it('reads what was set on it, falls through to the context it wraps, and leaves every earlier context as it was', () => {
    const base = ROOT_CONTEXT.setValue(KEYS[0], 'batch span').setValue(KEYS[1], 'config');
    const wrapped = layered(base);
    expect(wrapped.getValue(KEYS[1])).toBe('config');
    const withoutSpan = wrapped.deleteValue(KEYS[0]);
    const withSpan = withoutSpan.setValue(KEYS[0], 'process span');
    expect(withoutSpan.getValue(KEYS[0])).toBeUndefined();
    expect(withSpan.getValue(KEYS[0])).toBe('process span');
    expect(withSpan.getValue(KEYS[1])).toBe('config');
    expect(wrapped.getValue(KEYS[0])).toBe('batch span');
    expect(base.getValue(KEYS[0])).toBe('batch span');
    expect(layered(withSpan)).toBe(withSpan);
  });

  it('answers as the API’s own context would, for any sequence of sets and deletes', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let run = 0; run < 200; run++) {
      let expected: Context = ROOT_CONTEXT.setValue(KEYS[random(4)], 'base');
      let actual = layered(expected);
      for (let step = 0; step < 12; step++) {
        const key = KEYS[random(4)];
        if (random(3) === 0) {
          expected = expected.deleteValue(key);
          actual = actual.deleteValue(key);
        } else {
          expected = expected.setValue(key, `${run}.${step}`);
          actual = actual.setValue(key, `${run}.${step}`);
        }
        for (const k of KEYS) expect(actual.getValue(k)).toBe(expected.getValue(k));
      }
    }
  });
});

describe('layered: its shape outlives every layer (src/otel/shape-keeper.ts)', () => {
  it("keeps getValue's optimized code through a full collection that finds no layer of an invocation alive", async () => {
    const key = createContextKey('value');
    const read = () => layered(ROOT_CONTEXT).setValue(key, 1).getValue(key);
    const getValue = (Object.getPrototypeOf(layered(ROOT_CONTEXT)) as { getValue: unknown }).getValue;
    const isOptimized = optimized(getValue, read);
    expect(isOptimized()).toBe(true);
    await fullCollection();
    expect(isOptimized()).toBe(true);
  });
});
