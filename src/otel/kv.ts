import type { Attributes } from '@opentelemetry/api';
import { instrumentBinding, type KeyTemplate } from './binding-proxy';

/** Attributes of KV spans beyond the database conventions' `db.*`. */
export const ATTR_KV_KEY = 'cloudflare.kv.key';
export const ATTR_KV_HIT = 'cloudflare.kv.hit';
export const ATTR_KV_TTL = 'cloudflare.kv.expiration_ttl';
export const ATTR_KV_LIST_PREFIX = 'cloudflare.kv.list.prefix';
export const ATTR_KV_LIST_KEYS = 'cloudflare.kv.list.keys';

const key = (args: unknown[]): string | undefined => (typeof args[0] === 'string' ? args[0] : undefined);
const keyOf = (args: unknown[]): Attributes => (typeof args[0] === 'string' ? { [ATTR_KV_KEY]: args[0] } : {});
const prefixOf = (args: unknown[]): string | undefined => {
  const prefix = (args[0] as { prefix?: unknown } | undefined)?.prefix;
  return typeof prefix === 'string' && prefix ? prefix : undefined;
};
const hit = (result: unknown): Attributes => ({ [ATTR_KV_HIT]: result !== null && result !== undefined });

/**
 * A KV namespace whose operations are CLIENT spans `{operation} {key template}` (`get zip:{zip}`,
 * `put run:{id}`, `list formats:{zip}`; binding-proxy.ts), with only attributes that have a value.
 */
export function instrumentKV(kv: KVNamespace, binding: string, keyTemplate?: KeyTemplate): KVNamespace {
  return instrumentBinding(kv, {
    scope: 'kv',
    namespace: binding,
    keyTemplate,
    common: { 'db.system.name': 'cloudflare_kv', 'db.namespace': binding },
    operations: {
      get: { key, before: keyOf, after: hit },
      getWithMetadata: { key, before: keyOf, after: (result) => hit((result as { value?: unknown } | null)?.value) },
      put: {
        key,
        before: (args) => {
          const ttl = (args[2] as { expirationTtl?: unknown } | undefined)?.expirationTtl;
          return { ...keyOf(args), ...(typeof ttl === 'number' ? { [ATTR_KV_TTL]: ttl } : {}) };
        },
      },
      delete: { key, before: keyOf },
      list: {
        key: prefixOf,
        before: (args) => {
          const prefix = prefixOf(args);
          return prefix === undefined ? {} : { [ATTR_KV_LIST_PREFIX]: prefix };
        },
        after: (result) => {
          const keys = (result as { keys?: unknown[] } | null)?.keys;
          return Array.isArray(keys) ? { [ATTR_KV_LIST_KEYS]: keys.length } : {};
        },
      },
    },
  });
}
