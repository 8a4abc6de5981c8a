import type { Attributes } from '@opentelemetry/api';
import { instrumentBinding } from './binding-proxy';

/** Attributes of R2 spans beyond the database conventions' `db.*`. */
export const ATTR_R2_KEY = 'cloudflare.r2.key';
export const ATTR_R2_SIZE = 'cloudflare.r2.object.size';
export const ATTR_R2_HIT = 'cloudflare.r2.hit';

const keyOf = (args: unknown[]): Attributes => (typeof args[0] === 'string' ? { [ATTR_R2_KEY]: args[0] } : {});
const found = (result: unknown): Attributes => {
  const size = (result as R2Object | null)?.size;
  return { [ATTR_R2_HIT]: result !== null, ...(typeof size === 'number' ? { [ATTR_R2_SIZE]: size } : {}) };
};

/** An R2 bucket whose operations are CLIENT spans `R2 <binding> <operation>` (otel-cf-workers does not trace R2). */
export function instrumentR2(bucket: R2Bucket, binding: string): R2Bucket {
  return instrumentBinding(bucket, {
    scope: 'r2',
    prefix: `R2 ${binding}`,
    common: { 'db.system.name': 'cloudflare_r2', 'db.namespace': binding },
    operations: {
      get: { before: keyOf, after: found },
      head: { before: keyOf, after: found },
      put: {
        before: (args) => {
          const value = args[1];
          const size = value instanceof Uint8Array || value instanceof ArrayBuffer ? value.byteLength : undefined;
          return { ...keyOf(args), ...(size === undefined ? {} : { [ATTR_R2_SIZE]: size }) };
        },
      },
      delete: { before: keyOf },
      list: {},
    },
  });
}
