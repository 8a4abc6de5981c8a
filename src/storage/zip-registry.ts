import { z } from 'zod';
import { listAllKeys } from './kv-list';

/**
 * The ZIPs the admin has added, one KV key each (`zip:{zip}` → `{active, updated_at}`).
 * Why one key per ZIP: activating or deactivating is a single write, so concurrent admin
 * changes to different ZIPs cannot lose each other's updates, as the original's
 * read-modify-write of one `active_zips` list did.
 */
const PREFIX = 'zip:';
const ZipEntry = z.object({ active: z.boolean(), updated_at: z.string() });
export type ZipEntry = z.infer<typeof ZipEntry> & { zip: string };

export async function setZipActive(kv: KVNamespace, zip: string, active: boolean, now = new Date()): Promise<void> {
  await kv.put(`${PREFIX}${zip}`, JSON.stringify({ active, updated_at: now.toISOString() }));
}

export async function removeZip(kv: KVNamespace, zip: string): Promise<void> {
  await kv.delete(`${PREFIX}${zip}`);
}

export async function listZips(kv: KVNamespace): Promise<ZipEntry[]> {
  const keys = await listAllKeys(kv, PREFIX);
  const entries = await Promise.all(
    keys.map(async (key) => {
      const parsed = ZipEntry.safeParse(await kv.get(key, 'json'));
      return parsed.success ? { zip: key.slice(PREFIX.length), ...parsed.data } : undefined;
    }),
  );
  return entries.filter((e): e is ZipEntry => e !== undefined).sort((a, b) => a.zip.localeCompare(b.zip));
}

export async function listActiveZips(kv: KVNamespace): Promise<string[]> {
  return (await listZips(kv)).filter((e) => e.active).map((e) => e.zip);
}
