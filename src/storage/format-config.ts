import { DEFAULT_FORMAT, FORMAT_NAMES, isFormatName, type FormatName } from '../domain/formats';
import { listAllKeys } from './kv-list';

/**
 * The formats configured per ZIP, one KV key per (ZIP, format): `formats:{zip}:{format}`.
 * Why one key each: adding or removing a format is a single write or delete, so concurrent admin
 * changes to one ZIP's formats cannot lose each other (a read-modify-write of one list did).
 * Reading a ZIP's formats is ONE KV list (prefix `formats:{zip}`; ZIPs are exactly 5 digits, so
 * no other ZIP shares the prefix): the dispatcher reads them on every run.
 * `rgb_light` is always included and cannot be removed.
 *
 * Before this layout a ZIP's formats were one JSON list at `formats:{zip}` (the legacy key). The
 * list above also finds that key; it is read (one more get, only while it exists) and moved into
 * per-format keys by the first add or remove for that ZIP.
 */
const PREFIX = 'formats:';

function legacyKey(zip: string): string {
  return `${PREFIX}${zip}`;
}

function formatKey(zip: string, format: FormatName): string {
  return `${PREFIX}${zip}:${format}`;
}

function inOrder(formats: Iterable<FormatName>): FormatName[] {
  const set = new Set<FormatName>([DEFAULT_FORMAT, ...formats]);
  return FORMAT_NAMES.filter((f) => set.has(f));
}

async function legacyFormats(kv: KVNamespace, zip: string): Promise<FormatName[]> {
  const values = await kv.get(legacyKey(zip), 'json');
  return Array.isArray(values) ? values.filter(isFormatName) : [];
}

/** The formats of the ZIPs whose keys are listed (key names only), grouped by ZIP; `legacy` names ZIPs that still have the old list. */
function parseKeys(names: readonly string[]): { byZip: Map<string, FormatName[]>; legacy: string[] } {
  const byZip = new Map<string, FormatName[]>();
  const legacy: string[] = [];
  for (const name of names) {
    const [zip, format] = name.slice(PREFIX.length).split(':');
    if (format === undefined) legacy.push(zip);
    else if (isFormatName(format)) byZip.set(zip, [...(byZip.get(zip) ?? []), format]);
  }
  return { byZip, legacy };
}

export async function getFormats(kv: KVNamespace, zip: string): Promise<FormatName[]> {
  const { byZip, legacy } = parseKeys(await listAllKeys(kv, legacyKey(zip)));
  const formats = byZip.get(zip) ?? [];
  if (legacy.includes(zip)) formats.push(...(await legacyFormats(kv, zip)));
  return inOrder(formats);
}

/** Every ZIP that has format configuration, with its formats (one listing for all ZIPs). */
export async function allFormats(kv: KVNamespace): Promise<Map<string, FormatName[]>> {
  const { byZip, legacy } = parseKeys(await listAllKeys(kv, PREFIX));
  for (const zip of legacy) byZip.set(zip, [...(byZip.get(zip) ?? []), ...(await legacyFormats(kv, zip))]);
  return new Map([...byZip].map(([zip, formats]) => [zip, inOrder(formats)]));
}

/**
 * Moves a legacy list into per-format keys, then deletes it. Idempotent; only a remove racing
 * this one-time move for the same ZIP could see its format come back.
 */
async function migrateLegacy(kv: KVNamespace, zip: string): Promise<void> {
  const values = await kv.get(legacyKey(zip), 'json');
  if (values === null) return;
  const formats = Array.isArray(values) ? values.filter(isFormatName) : [];
  await Promise.all(formats.filter((f) => f !== DEFAULT_FORMAT).map((f) => kv.put(formatKey(zip, f), '1')));
  await kv.delete(legacyKey(zip));
}

/**
 * Both return the ZIP's formats with this change applied to what the list shows: KV lists are
 * eventually consistent (a key written a moment ago may be missing for up to a minute), and the
 * caller must see its own change.
 */
export async function addFormat(kv: KVNamespace, zip: string, format: FormatName): Promise<FormatName[]> {
  await migrateLegacy(kv, zip);
  if (format !== DEFAULT_FORMAT) await kv.put(formatKey(zip, format), '1');
  return inOrder([...(await getFormats(kv, zip)), format]);
}

export async function removeFormat(kv: KVNamespace, zip: string, format: FormatName): Promise<FormatName[]> {
  if (format === DEFAULT_FORMAT) throw new RangeError(`${DEFAULT_FORMAT} is always generated and cannot be removed`);
  await migrateLegacy(kv, zip);
  await kv.delete(formatKey(zip, format));
  return (await getFormats(kv, zip)).filter((f) => f !== format);
}
