import { z } from 'zod';
import { keyPages, listAllKeyEntries } from './kv-list';

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
  // A registration marker lists the ZIP, inactive; the ZIP's own entry, where there is one, wins.
  for (const entry of await entriesOf(kv, await listAllKeyEntries(kv, PREFIX))) {
    if (entry.registeredOnly) {
      if (!byZip.has(entry.zip)) byZip.set(entry.zip, { zip: entry.zip, active: false });
    } else byZip.set(entry.zip, { zip: entry.zip, active: entry.active, updated_at: entry.updated_at });
  }
  return [...byZip.values()].sort((a, b) => a.zip.localeCompare(b.zip));
}

/**
 * The active ZIPs, one KV list page (up to 1,000 keys) at a time, in key order: the cron sends each
 * page's runs before it reads the next, so it never holds the whole registry.
 */
export async function* activeZipPages(kv: KVNamespace): AsyncGenerator<string[]> {
  for await (const keys of keyPages(kv, PREFIX)) {
    const active = (await entriesOf(kv, keys)).filter((e) => e.active && !e.registeredOnly).map((e) => e.zip);
    if (active.length > 0) yield active;
  }
}

/** The registry entries of listed keys: from each key's metadata, or a get for a key written without it. */
async function entriesOf(kv: KVNamespace, keys: KVNamespaceListKey<unknown>[]): Promise<Array<ZipEntry & { registeredOnly?: true }>> {
  return (
    await Promise.all(
      keys.map(async (key) => {
        if (key.name.endsWith(REGISTERED_SUFFIX))
          return { zip: key.name.slice(PREFIX.length, -REGISTERED_SUFFIX.length), active: false, registeredOnly: true as const };
        const zip = key.name.slice(PREFIX.length);
        const fromMetadata = ZipEntry.safeParse(key.metadata);
        const parsed = fromMetadata.success ? fromMetadata : ZipEntry.safeParse(await kv.get(key.name, 'json'));
        return parsed.success ? { zip, ...parsed.data } : undefined;
      }),
    )
  ).filter((entry) => entry !== undefined);
}
