/** Every key under a prefix with its metadata, following KV's cursor (one page holds at most 1,000 keys). */
export async function listAllKeyEntries(kv: KVNamespace, prefix: string): Promise<KVNamespaceListKey<unknown>[]> {
  const keys: KVNamespaceListKey<unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix, cursor });
    keys.push(...page.keys);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return keys;
}

/** Every key name under a prefix (see listAllKeyEntries). */
export async function listAllKeys(kv: KVNamespace, prefix: string): Promise<string[]> {
  return (await listAllKeyEntries(kv, prefix)).map((key) => key.name);
}
