import { z } from 'zod';
import { listAllKeys } from './kv-list';

/**
 * The ZIPs the admin knows, under one prefix so one KV list finds them all:
 * - `zip:{zip}` → `{active, updated_at}`, written by activate/deactivate;
 * - `zip:{zip}:registered` → the time, written when any other admin call names the ZIP (generate,
 *   formats/add, formats/remove): the ZIP is listed, inactive unless activated.
 * Why one key per ZIP, and a separate marker: every change is a single write that never reads
 * first, so concurrent admin changes cannot lose each other's updates (the original's
 * read-modify-write of one `active_zips` list did), and registering a ZIP by generating it
 * cannot overwrite an activation that lands at the same moment.
 */
const PREFIX = 'zip:';
const REGISTERED_SUFFIX = ':registered';
const ZipEntry = z.object({ active: z.boolean(), updated_at: z.string() });
export type ZipEntry = { zip: string; active: boolean; updated_at?: string };

export async function setZipActive(kv: KVNamespace, zip: string, active: boolean, now = new Date()): Promise<void> {
  await kv.put(`${PREFIX}${zip}`, JSON.stringify({ active, updated_at: now.toISOString() }));
}

/** Makes the ZIP known to the admin without touching its active flag. */
export async function registerZip(kv: KVNamespace, zip: string, now = new Date()): Promise<void> {
  await kv.put(`${PREFIX}${zip}${REGISTERED_SUFFIX}`, now.toISOString());
}

/** Whether the ZIP's registration marker exists: one read, which spares the write when it does. */
export async function isZipRegistered(kv: KVNamespace, zip: string): Promise<boolean> {
  return (await kv.get(`${PREFIX}${zip}${REGISTERED_SUFFIX}`)) !== null;
}

export async function listZips(kv: KVNamespace): Promise<ZipEntry[]> {
  const byZip = new Map<string, ZipEntry>();
  const flagKeys: string[] = [];
  for (const key of await listAllKeys(kv, PREFIX)) {
    if (key.endsWith(REGISTERED_SUFFIX)) {
      const zip = key.slice(PREFIX.length, -REGISTERED_SUFFIX.length);
      if (!byZip.has(zip)) byZip.set(zip, { zip, active: false });
    } else flagKeys.push(key);
  }
  await Promise.all(
    flagKeys.map(async (key) => {
      const parsed = ZipEntry.safeParse(await kv.get(key, 'json'));
      const zip = key.slice(PREFIX.length);
      if (parsed.success) byZip.set(zip, { zip, ...parsed.data });
    }),
  );
  return [...byZip.values()].sort((a, b) => a.zip.localeCompare(b.zip));
}

export async function listActiveZips(kv: KVNamespace): Promise<string[]> {
  return (await listZips(kv)).filter((e) => e.active).map((e) => e.zip);
}
