import type { Attributes } from '@opentelemetry/api';
import { instrumentBinding, type KeyTemplate } from './binding-proxy';

/** Attributes of R2 spans beyond the database conventions' `db.*`. */
export const ATTR_R2_KEY = 'cloudflare.r2.key';
export const ATTR_R2_SIZE = 'cloudflare.r2.object.size';
export const ATTR_R2_HIT = 'cloudflare.r2.hit';

const key = (args: unknown[]): string | undefined => (typeof args[0] === 'string' ? args[0] : undefined);
const keyOf = (args: unknown[]): Attributes => (typeof args[0] === 'string' ? { [ATTR_R2_KEY]: args[0] } : {});
const found = (result: unknown): Attributes => {
  const size = (result as R2Object | null)?.size;
  return { [ATTR_R2_HIT]: result !== null, ...(typeof size === 'number' ? { [ATTR_R2_SIZE]: size } : {}) };
};

/**
 * An R2 bucket whose operations are CLIENT spans `{operation} {key template}` (`head {zip}/bw.bmp`,
 * `list WEATHER_IMAGES`; binding-proxy.ts). otel-cf-workers does not trace R2.
 */
export function instrumentR2(bucket: R2Bucket, binding: string, keyTemplate?: KeyTemplate): R2Bucket {
  return instrumentBinding(bucket, {
    scope: 'r2',
    namespace: binding,
    keyTemplate,
    common: { 'db.system.name': 'cloudflare_r2', 'db.namespace': binding },
    operations: {
      get: { key, before: keyOf, after: found },
      head: { key, before: keyOf, after: found },
      put: {
        key,
        before: (args) => {
          const value = args[1];
          const size = value instanceof Uint8Array || value instanceof ArrayBuffer ? value.byteLength : undefined;
          return { ...keyOf(args), ...(size === undefined ? {} : { [ATTR_R2_SIZE]: size }) };
        },
      },
      delete: { key, before: keyOf },
      list: { key: (args) => (args[0] as { prefix?: string } | undefined)?.prefix || undefined },
    },
  });
}
