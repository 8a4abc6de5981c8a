import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

/**
 * CLIENT spans for R2 (otel-cf-workers instruments KV, Queues and fetch, not R2):
 * `R2 <binding> <operation>` with the key and object size, in the style of its KV instrumentation.
 */
const OPERATIONS = new Set(['get', 'head', 'put', 'delete', 'list']);
export const ATTR_R2_BINDING = 'cloudflare.r2.binding';
export const ATTR_R2_OPERATION = 'cloudflare.r2.operation';
export const ATTR_R2_KEY = 'cloudflare.r2.key';
export const ATTR_R2_SIZE = 'cloudflare.r2.object.size';
export const ATTR_R2_HIT = 'cloudflare.r2.hit';

export function instrumentR2(bucket: R2Bucket, binding: string): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !OPERATIONS.has(prop) || typeof value !== 'function') return value;
      return (...args: unknown[]) => traced(prop, binding, args, () => value.apply(target, args));
    },
  });
}

function traced(operation: string, binding: string, args: unknown[], call: () => Promise<unknown>): Promise<unknown> {
  const attributes: Attributes = {
    [ATTR_R2_BINDING]: binding,
    [ATTR_R2_OPERATION]: operation,
    'db.system.name': 'cloudflare_r2',
    'db.operation.name': operation,
  };
  if (typeof args[0] === 'string') attributes[ATTR_R2_KEY] = args[0];
  const value = args[1];
  if (operation === 'put' && value instanceof Uint8Array) attributes[ATTR_R2_SIZE] = value.byteLength;
  if (operation === 'put' && value instanceof ArrayBuffer) attributes[ATTR_R2_SIZE] = value.byteLength;
  return trace.getTracer('weather-landscape.r2').startActiveSpan(`R2 ${binding} ${operation}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const result = await call();
      if (operation === 'get' || operation === 'head') {
        span.setAttribute(ATTR_R2_HIT, result !== null);
        if (result && typeof (result as R2Object).size === 'number') span.setAttribute(ATTR_R2_SIZE, (result as R2Object).size);
      }
      return result;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
