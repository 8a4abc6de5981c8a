import { DEFAULT_FORMAT, FORMAT_NAMES, isFormatName, type FormatName } from '../domain/formats';
import { allFormats } from '../storage/format-config';
import { listImages, type ImageMetadata } from '../storage/image-store';
import { getCachedGeo } from '../storage/weather-store';
import { listZips } from '../storage/zip-registry';
import { isCurrentFailure, listZipFailures } from '../storage/zip-status';
import type { AdminZip } from './pages/admin';
import type { ForecastCard } from './pages/forecasts';
import type { LatestPicture } from './pages/home';
import { failureSummary } from './zip-failure';

/** What the pages show, read from KV and R2: one place for the page handlers to ask. */

/** "Austin, Texas" from the geocoding cache, when the ZIP has been geocoded. */
export async function placeName(kv: KVNamespace, zip: string): Promise<string | undefined> {
  const geo = await getCachedGeo(kv, zip);
  if (!geo?.name) return undefined;
  return geo.admin1 ? `${geo.name}, ${geo.admin1}` : geo.name;
}

const newestFirst = (a: { generatedAt: string }, b: { generatedAt: string }) => Date.parse(b.generatedAt) - Date.parse(a.generatedAt);
const formatOrder = (a: { format: string }, b: { format: string }) =>
  FORMAT_NAMES.indexOf(a.format as never) - FORMAT_NAMES.indexOf(b.format as never);

/** The most recently drawn rgb_light picture of any ZIP: the home page's live example. */
export async function latestPicture(kv: KVNamespace, bucket: R2Bucket): Promise<LatestPicture | undefined> {
  const all = [...(await listImages(bucket)).values()].flat().filter((m) => m.format === 'rgb_light');
  const newest = all.sort(newestFirst)[0];
  if (!newest) return undefined;
  return { zip: newest.zipCode, generatedAt: newest.generatedAt, place: await placeName(kv, newest.zipCode) };
}

/**
 * One card per ZIP that has pictures or a failed last run, ZIPs in order. A failure is shown while
 * no picture of the format it concerns (any format, for a failed fetch) is newer than it.
 */
export async function forecastCards(kv: KVNamespace, bucket: R2Bucket): Promise<ForecastCard[]> {
  const [byZip, failures] = await Promise.all([listImages(bucket), listZipFailures(kv)]);
  const zips = [...new Set([...byZip.keys(), ...failures.keys()])].sort();
  const cards = await Promise.all(
    zips.map(async (zip): Promise<ForecastCard> => {
      const images = (byZip.get(zip) ?? [])
        .filter((m: ImageMetadata) => isFormatName(m.format))
        .sort(formatOrder)
        .map((m) => ({ format: m.format, generatedAt: m.generatedAt, fileSize: m.fileSize }));
      const failure = failures.get(zip);
      const concerned = images.filter((i) => !failure?.format || i.format === failure.format);
      const newest = concerned.map((i) => i.generatedAt).sort().at(-1);
      const current = isCurrentFailure(failure, failure?.format ?? '', newest);
      return {
        zip,
        place: await placeName(kv, zip),
        images,
        ...(current ? { failure: { at: failure.at, summary: failureSummary(failure), reason: failure.reason, format: failure.format } } : {}),
      };
    }),
  );
  return cards.filter((card) => card.images.length > 0 || card.failure);
}

export interface ZipOverview {
  zip: string;
  active: boolean;
  updated_at?: string;
  formats: FormatName[];
  images: ImageMetadata[];
}

/**
 * Every ZIP the admin knows, whatever made it known: registered or activated (the ZIP registry),
 * formats configured, or images stored. One truth for the dashboard and /admin/status, read with
 * two KV listings and an R2 listing whatever the number of ZIPs (plus one get per ZIP entry).
 */
export async function zipOverview(kv: KVNamespace, bucket: R2Bucket): Promise<ZipOverview[]> {
  const [entries, formats, images] = await Promise.all([listZips(kv), allFormats(kv), listImages(bucket)]);
  const byZip = new Map<string, { active: boolean; updated_at?: string }>(entries.map((e) => [e.zip, e]));
  for (const zip of [...formats.keys(), ...images.keys()]) if (!byZip.has(zip)) byZip.set(zip, { active: false });
  return [...byZip]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([zip, entry]) => ({
      zip,
      active: entry.active,
      updated_at: entry.updated_at,
      formats: formats.get(zip) ?? [DEFAULT_FORMAT],
      images: (images.get(zip) ?? []).sort(formatOrder),
    }));
}

/** Every ZIP the admin knows (see zipOverview) with its place, newest picture and a last failure newer than it, for the dashboard. */
export async function adminZips(kv: KVNamespace, bucket: R2Bucket): Promise<AdminZip[]> {
  const [zips, failures] = await Promise.all([zipOverview(kv, bucket), listZipFailures(kv)]);
  return Promise.all(
    zips.map(async (entry) => {
      const latest = [...entry.images].sort(newestFirst)[0]?.generatedAt;
      const failure = failures.get(entry.zip);
      return {
        zip: entry.zip,
        active: entry.active,
        place: await placeName(kv, entry.zip),
        formats: entry.formats,
        latest,
        ...(isCurrentFailure(failure, failure?.format ?? '', latest) ? { failure: { at: failure.at, summary: failureSummary(failure) } } : {}),
      };
    }),
  );
}
