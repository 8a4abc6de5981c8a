/**
 * Pictures, failures and ZIP registry entries written the way the pipeline writes them, for tests
 * and the bench: images as R2 objects with storeImage's custom metadata, failures as
 * `{zip}/failure.json` (recordZipFailure's layout), registry keys with their KV key metadata.
 * The bindings are structural, so the same code seeds `env` in the workers pool and Miniflare's
 * `getR2Bucket()` / `getKVNamespace()` in Node.
 */
import { FORMATS, FORMAT_NAMES, type FormatName } from '../../src/domain/formats';

export interface SeedBucket {
  put(
    key: string,
    value: Uint8Array | string,
    options?: { httpMetadata?: { contentType?: string }; customMetadata?: Record<string, string> },
  ): Promise<unknown>;
}

export interface SeedKv {
  put(key: string, value: string, options?: { metadata?: unknown }): Promise<unknown>;
}

export interface Picture {
  zip: string;
  format: FormatName;
  generatedAt: string;
  weatherFetchedAt?: string;
  place?: string;
  runId?: string;
  traceId?: string;
  bytes?: Uint8Array;
}

/** Writes one picture as storeImage does: content type, and generated-at, weather-fetched-at, zip, lat, lon, size, run-id, trace-id, place. */
export async function putPicture(bucket: SeedBucket, p: Picture): Promise<void> {
  const spec = FORMATS[p.format];
  const bytes = p.bytes ?? new Uint8Array([1, 2, 3]);
  await bucket.put(`${p.zip}/${p.format}.${spec.ext}`, bytes, {
    httpMetadata: { contentType: spec.contentType },
    customMetadata: {
      'generated-at': p.generatedAt,
      'weather-fetched-at': p.weatherFetchedAt ?? p.generatedAt,
      zip: p.zip,
      lat: '30.4',
      lon: '-97.8',
      size: String(bytes.byteLength),
      ...(p.runId ? { 'run-id': p.runId } : {}),
      ...(p.traceId ? { 'trace-id': p.traceId } : {}),
      ...(p.place ? { place: p.place } : {}),
    },
  });
}

/** A ZIP registry entry as setZipActive writes it (value and KV key metadata). */
export async function putZipEntry(kv: SeedKv, zip: string, active: boolean, updatedAt = new Date().toISOString()): Promise<void> {
  const entry = { active, updated_at: updatedAt };
  await kv.put(`zip:${zip}`, JSON.stringify(entry), { metadata: entry });
}

/** The i-th seeded ZIP: 10000, 10001, … */
export const seededZip = (i: number) => String(10000 + i);

/**
 * `count` active ZIPs with every format stored (5 R2 objects each) and a registry entry each;
 * pictures drawn `ageMinutes` ago, ZIP i's place "Place i". Writes in parallel chunks.
 */
export async function seedZips(bucket: SeedBucket, kv: SeedKv, options: { count: number; ageMinutes?: number; now?: number }): Promise<string[]> {
  const now = options.now ?? Date.now();
  const zips = Array.from({ length: options.count }, (_, i) => seededZip(i));
  const writes: Array<() => Promise<unknown>> = [];
  for (const [i, zip] of zips.entries()) {
    // Each ZIP drawn a moment apart, so "the newest" is well defined.
    const generatedAt = new Date(now - (options.ageMinutes ?? 5) * 60_000 - i * 1000).toISOString();
    for (const format of FORMAT_NAMES) writes.push(() => putPicture(bucket, { zip, format, generatedAt, place: `Place ${i}` }));
    writes.push(() => putZipEntry(kv, zip, true));
  }
  for (let i = 0; i < writes.length; i += 100) await Promise.all(writes.slice(i, i + 100).map((write) => write()));
  return zips;
}
