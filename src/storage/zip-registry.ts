import { z } from 'zod';
import { listAllKeyEntries } from './kv-list';

/**
 * The ZIPs the admin knows, under one prefix so one KV list finds them all:
 * - `zip:{zip}` → `{active, updated_at}`, written by activate/deactivate;
 * - `zip:{zip}:registered` → the time, written when any other admin call names the ZIP (generate,
 *   formats/add, formats/remove): the ZIP is listed, inactive unless activated.
 * Why one key per ZIP, and a separate marker: an activation is a single write that never reads
 * first, so concurrent admin changes cannot lose each other's updates (the original's
 * read-modify-write of one `active_zips` list did), and registering a ZIP by generating it
 * cannot overwrite an activation that lands at the same moment. Registering reads the marker
 * first and writes it only when absent: a ZIP is registered once, not on every admin run (two
 * racing registrations both write the same marker, which is harmless).
 *
 * `zip:{zip}` carries its value also as KV key metadata, so listZips reads the registry with one
 * list per 1,000 keys and no get per key; a key written before that has no metadata and is read
 * with a get, until its next activate/deactivate rewrites it.
 */
const PREFIX = 'zip:';
const REGISTERED_SUFFIX = ':registered';
const ZipEntry = z.object({ active: z.boolean(), updated_at: z.string() });
export type ZipEntry = { zip: string; active: boolean; updated_at?: string };

export async function setZipActive(kv: KVNamespace, zip: string, active: boolean, now = new Date()): Promise<void> {
  const entry = { active, updated_at: now.toISOString() };
  await kv.put(`${PREFIX}${zip}`, JSON.stringify(entry), { metadata: entry });
}

/** Makes the ZIP known to the admin without touching its active flag: one read, and one write the first time. */
export async function registerZip(kv: KVNamespace, zip: string, now = new Date()): Promise<void> {
  const key = `${PREFIX}${zip}${REGISTERED_SUFFIX}`;
  if ((await kv.get(key)) !== null) return;
  await kv.put(key, now.toISOString());
}

export async function listZips(kv: KVNamespace): Promise<ZipEntry[]> {
  const byZip = new Map<string, ZipEntry>();
  const withoutMetadata: string[] = [];
  for (const key of await listAllKeyEntries(kv, PREFIX)) {
    if (key.name.endsWith(REGISTERED_SUFFIX)) {
      const zip = key.name.slice(PREFIX.length, -REGISTERED_SUFFIX.length);
      if (!byZip.has(zip)) byZip.set(zip, { zip, active: false });
      continue;
    }
    const zip = key.name.slice(PREFIX.length);
    const parsed = ZipEntry.safeParse(key.metadata);
    if (parsed.success) byZip.set(zip, { zip, ...parsed.data });
    else withoutMetadata.push(zip);
  }
  await Promise.all(
    withoutMetadata.map(async (zip) => {
      const parsed = ZipEntry.safeParse(await kv.get(`${PREFIX}${zip}`, 'json'));
      if (parsed.success) byZip.set(zip, { zip, ...parsed.data });
    }),
  );
  return [...byZip.values()].sort((a, b) => a.zip.localeCompare(b.zip));
}

export async function listActiveZips(kv: KVNamespace): Promise<string[]> {
  return (await listZips(kv)).filter((e) => e.active).map((e) => e.zip);
}
