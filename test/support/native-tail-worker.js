// A streaming tail worker for the worker tests (vitest.config.ts): with it attached, the runtime
// traces each invocation natively (without a tail consumer `isTraced` is false and the native ids
// are all zero), and the attributes our code sets on native spans arrive here as `attributes`
// events (one event per attribute). GET answers them merged per native span:
// [{ traceId, spanId, attributes: { name: value } }], oldest span first.
// Plain JavaScript: auxiliary workers of the pool are not transformed by Vite.
const spans = new Map();

export default {
  tailStream() {
    return {
      attributes(event) {
        const { traceId, spanId } = event.spanContext;
        const key = `${traceId}/${spanId}`;
        if (!spans.has(key)) spans.set(key, { traceId, spanId, attributes: {} });
        for (const { name, value } of event.event.info) spans.get(key).attributes[name] = typeof value === 'bigint' ? String(value) : value;
      },
    };
  },
  fetch() {
    return Response.json([...spans.values()]);
  },
};
