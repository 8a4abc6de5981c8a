import { DEFAULT_FORMAT, isFormatName, type FormatName, FORMAT_NAMES } from '../domain/formats';

/**
 * The formats configured per ZIP: `formats:{zip}` → `["rgb_light", "bw", ...]`.
 * `rgb_light` is always included and cannot be removed; a missing key means just `rgb_light`.
 */
function key(zip: string): string {
  return `formats:${zip}`;
}

function normalize(values: unknown): FormatName[] {
  const list = Array.isArray(values) ? values.filter(isFormatName) : [];
  const set = new Set<FormatName>([DEFAULT_FORMAT, ...list]);
  return FORMAT_NAMES.filter((f) => set.has(f));
}

export async function getFormats(kv: KVNamespace, zip: string): Promise<FormatName[]> {
  return normalize(await kv.get(key(zip), 'json'));
}

/** Read-modify-write of one ZIP's list; concurrent edits of the SAME ZIP's formats can race (rare, admin-only). */
export async function addFormat(kv: KVNamespace, zip: string, format: FormatName): Promise<FormatName[]> {
  const formats = normalize([...(await getFormats(kv, zip)), format]);
  await kv.put(key(zip), JSON.stringify(formats));
  return formats;
}

export async function removeFormat(kv: KVNamespace, zip: string, format: FormatName): Promise<FormatName[]> {
  if (format === DEFAULT_FORMAT) throw new RangeError(`${DEFAULT_FORMAT} is always generated and cannot be removed`);
  const formats = (await getFormats(kv, zip)).filter((f) => f !== format);
  await kv.put(key(zip), JSON.stringify(formats));
  return formats;
}
