import { DEFAULT_FORMAT, FORMAT_NAMES, type FormatName } from '../domain/formats';
import { allFormats } from '../storage/format-config';
import type { ImageMetadata } from '../storage/image-store';
import { listAllZipObjects, listZipPage, recentPicture, type ZipObjects } from '../storage/zip-objects';
import { listZips } from '../storage/zip-registry';
import { isCurrentFailure, type ZipFailure } from '../storage/zip-status';
import type { AdminZip } from './pages/admin';
import type { ForecastCard } from './pages/forecasts';
import type { LatestPicture } from './pages/home';
import { failureSummary } from './zip-failure';

/**
 * What the pages show, read from R2 (pictures, failures, place names) and KV (the ZIP registry and
 * formats, admin only): one place for the page handlers to ask. Every read is a list: no page
 * reads a key per ZIP.
 */

const newestFirst = (a: { generatedAt: string }, b: { generatedAt: string }) => Date.parse(b.generatedAt) - Date.parse(a.generatedAt);
const formatOrder = (a: { format: string }, b: { format: string }) => FORMAT_NAMES.indexOf(a.format as never) - FORMAT_NAMES.indexOf(b.format as never);

/** The place name of a ZIP, from its pictures' metadata (the newest picture that has one). */
function placeOf(images: ImageMetadata[]): string | undefined {
  return [...images].sort(newestFirst).find((i) => i.place)?.place;
}

/**
 * The failure to show next to a ZIP's pictures: its last failure while no picture of the format it
 * concerns (any format, for a failed fetch) is newer than it.
 */
function currentFailure(images: ImageMetadata[], failure: ZipFailure | undefined): ZipFailure | undefined {
  const concerned = images.filter((i) => !failure?.format || i.format === failure.format);
  const newest = concerned
    .map((i) => i.generatedAt)
    .sort()
    .at(-1);
  return isCurrentFailure(failure, failure?.format ?? '', newest) ? failure : undefined;
}

/** The home page's live example: a recent rgb_light picture, one R2 list and one head (see recentPicture). */
export async function latestPicture(bucket: R2Bucket): Promise<LatestPicture | undefined> {
  const newest = await recentPicture(bucket, DEFAULT_FORMAT);
  if (!newest) return undefined;
  return { zip: newest.zipCode, generatedAt: newest.generatedAt, ...(newest.place ? { place: newest.place } : {}) };
}

/**
 * At most this many ZIPs per /forecasts page. One list of 1,000 objects holds 166 ZIPs or more
 * (6 objects each at most); R2 may return fewer with metadata included, and the page then shows
 * the whole ZIPs it got (19 under Miniflare, whose lists with metadata stop at 100 objects).
 */
export const FORECAST_PAGE_ZIPS = 50;

function forecastCard({ zip, images, failure }: ZipObjects): ForecastCard {
  const shown = [...images].sort(formatOrder);
  const current = currentFailure(images, failure);
  return {
    zip,
    place: placeOf(images),
    images: shown.map((m) => ({ format: m.format, generatedAt: m.generatedAt, fileSize: m.fileSize })),
    // In words only: the reason may quote the weather API's request and answer, which is for the admin.
    ...(current ? { failure: { at: current.at, summary: failureSummary(current), format: current.format } } : {}),
  };
}

/**
 * One /forecasts page: a card per ZIP that has pictures or a current failure, ZIPs in order, at most
 * FORECAST_PAGE_ZIPS of them after `after`, from ONE R2 list; `next` is the `after` of the next page.
 */
export async function forecastPage(bucket: R2Bucket, after?: string): Promise<{ cards: ForecastCard[]; next?: string }> {
  const page = await listZipPage(bucket, { after, maxZips: FORECAST_PAGE_ZIPS });
  const cards = page.zips.map(forecastCard).filter((card) => card.images.length > 0 || card.failure);
  return { cards, ...(page.next ? { next: page.next } : {}) };
}

export interface ZipOverview {
  zip: string;
  active: boolean;
  updated_at?: string;
  formats: FormatName[];
  images: ImageMetadata[];
  place?: string;
  failure?: ZipFailure;
}

/**
 * Every ZIP the admin knows, whatever made it known: registered or activated (the ZIP registry),
 * formats configured, or pictures stored. One truth for the dashboard and /admin/status, read with
 * lists only: the registry and the formats (KV, one list per 1,000 keys each) and the bucket (R2,
 * one list per 1,000 objects, pictures and failures with their metadata).
 */
export async function zipOverview(kv: KVNamespace, bucket: R2Bucket): Promise<ZipOverview[]> {
  const [entries, formats, objects] = await Promise.all([listZips(kv), allFormats(kv), listAllZipObjects(bucket)]);
  const byZip = new Map<string, { active: boolean; updated_at?: string }>(entries.map((e) => [e.zip, e]));
  for (const zip of [...formats.keys(), ...[...objects.values()].filter((o) => o.images.length > 0).map((o) => o.zip)]) {
    if (!byZip.has(zip)) byZip.set(zip, { active: false });
  }
  return [...byZip]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([zip, entry]) => {
      const stored = objects.get(zip);
      const images = [...(stored?.images ?? [])].sort(formatOrder);
      return {
        zip,
        active: entry.active,
        updated_at: entry.updated_at,
        formats: formats.get(zip) ?? [DEFAULT_FORMAT],
        images,
        place: placeOf(images),
        ...(stored?.failure ? { failure: stored.failure } : {}),
      };
    });
}

/** Every ZIP the admin knows (see zipOverview) with its place, newest picture and a last failure newer than it, for the dashboard. */
export async function adminZips(kv: KVNamespace, bucket: R2Bucket): Promise<AdminZip[]> {
  return (await zipOverview(kv, bucket)).map((entry) => {
    const latest = [...entry.images].sort(newestFirst)[0]?.generatedAt;
    const failure = entry.failure;
    return {
      zip: entry.zip,
      active: entry.active,
      place: entry.place,
      formats: entry.formats,
      latest,
      ...(isCurrentFailure(failure, failure?.format ?? '', latest)
        ? { failure: { at: failure.at, summary: failureSummary(failure), reason: failure.reason } }
        : {}),
    };
  });
}
