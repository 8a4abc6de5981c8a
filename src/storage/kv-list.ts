/** The keys under a prefix with their metadata, one KV list page (at most 1,000 keys) at a time, following KV's cursor. */
export async function* keyPages(kv: KVNamespace, prefix: string): AsyncGenerator<KVNamespaceListKey<unknown>[]> {
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix, cursor });
    yield page.keys;
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
}

/** Every key under a prefix with its metadata (see keyPages). */
export async function listAllKeyEntries(kv: KVNamespace, prefix: string): Promise<KVNamespaceListKey<unknown>[]> {
  const keys: KVNamespaceListKey<unknown>[] = [];
  for await (const page of keyPages(kv, prefix)) keys.push(...page);
  return keys;
}

/** Every key name under a prefix (see listAllKeyEntries). */
export async function listAllKeys(kv: KVNamespace, prefix: string): Promise<string[]> {
  return (await listAllKeyEntries(kv, prefix)).map((key) => key.name);
}
