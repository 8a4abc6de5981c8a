import { FORMATS, type FormatName } from '../domain/formats';
import { imageFromObject, type ImageMetadata } from './image-store';
import { failureFromObject, type ZipFailure } from './zip-status';

/**
 * What R2 holds for each ZIP, read with R2 lists only: its pictures `{zip}/{format}.{png|bmp}` and
 * its last failure `{zip}/failure.json`, each with the custom metadata the pages show. Keys sort
 * by ZIP, so a ZIP's objects are neighbours in a listing.
 *
 * Seen in workerd (test/workers/web/r2-listing.test.ts): without `include` a listed object's
 * customMetadata is `{}`; with `include: ['customMetadata', 'httpMetadata']` it carries what the
 * put stored. A list with `include` may return fewer objects than `limit`, marked `truncated`
 * (R2 says so; Miniflare, hence `npm start`, returns at most 100), so a page never counts on
 * getting `limit` objects: it shows the whole ZIPs one list returned.
 */
export interface ZipObjects {
  zip: string;
  images: ImageMetadata[];
  failure?: ZipFailure;
}

/** R2's most objects per list call. */
const LIST_LIMIT = 1000;

// The root `@cloudflare/workers-types` entry is typed for the oldest compatibility date and lacks
// `include`; the entries from `2022-08-04` on have it, our compatibility date is 2026-04-01, and
// r2-listing.test.ts shows the runtime honouring it.
declare global {
  interface R2ListOptions {
    include?: ('httpMetadata' | 'customMetadata')[];
  }
}

const ZIP_OF_KEY = /^(\d{5})\//;

/** Every listed object's ZIP, in listing order; objects of anything else are skipped. */
function groupByZip(objects: R2Object[]): ZipObjects[] {
  const groups: ZipObjects[] = [];
  for (const object of objects) {
    const zip = ZIP_OF_KEY.exec(object.key)?.[1];
    if (!zip) continue;
    let group = groups.at(-1);
    if (group?.zip !== zip) groups.push((group = { zip, images: [] }));
    const image = imageFromObject(object);
    if (image) group.images.push(image);
    else group.failure = failureFromObject(object) ?? group.failure;
  }
  return groups;
}

/** Listing after every object of `zip`: its keys are `{zip}/{lowercase name}`, all below `{zip}/~`. */
function startAfterZip(zip: string): string {
  return `${zip}/~`;
}

export interface ZipPage {
  zips: ZipObjects[];
  /** The last ZIP of this page when more may follow: the next page lists after it. */
  next?: string;
}

/**
 * At most `maxZips` ZIPs after `after`, whole, from ONE R2 list of up to 1,000 objects, whatever
 * the number of ZIPs stored. A ZIP whose objects the list cut off at its end (the list is
 * truncated) is left to the next page, so every ZIP appears on exactly one page, complete.
 */
export async function listZipPage(bucket: R2Bucket, options: { after?: string; maxZips: number }): Promise<ZipPage> {
  const listing = await bucket.list({
    limit: LIST_LIMIT,
    include: ['customMetadata', 'httpMetadata'],
    ...(options.after ? { startAfter: startAfterZip(options.after) } : {}),
  });
  const groups = groupByZip(listing.objects);
  // A ZIP has at most six objects, so a truncated list (100 objects or more) holds whole ZIPs
  // before its last one; keeping the last one when it is alone only guards against a page that
  // could never move on.
  const whole = listing.truncated && groups.length > 1 ? groups.slice(0, -1) : groups;
  const zips = whole.slice(0, options.maxZips);
  const more = listing.truncated || whole.length > zips.length;
  return { zips, ...(more && zips.length > 0 ? { next: zips.at(-1)!.zip } : {}) };
}

/** Every ZIP's objects, one R2 list per 1,000 objects (for the admin, which shows every ZIP). */
export async function listAllZipObjects(bucket: R2Bucket): Promise<Map<string, ZipObjects>> {
  const byZip = new Map<string, ZipObjects>();
  let cursor: string | undefined;
  do {
    const listing = await bucket.list({ limit: LIST_LIMIT, include: ['customMetadata', 'httpMetadata'], ...(cursor ? { cursor } : {}) });
    for (const group of groupByZip(listing.objects)) {
      const seen = byZip.get(group.zip);
      // A ZIP cut between two list pages continues where it stopped.
      if (seen) {
        seen.images.push(...group.images);
        seen.failure = group.failure ?? seen.failure;
      } else byZip.set(group.zip, group);
    }
    cursor = listing.truncated ? listing.cursor : undefined;
  } while (cursor);
  return byZip;
}

/**
 * A recent picture of `format` for the home page's live example, with TWO operations however many
 * ZIPs there are: one R2 list of up to 1,000 objects without metadata (about 200 ZIPs; R2 returns
 * its full `limit` when `include` is not asked for), the newest of them by upload time, then one
 * head for its metadata (place, generated-at). The newest of ALL would take one list per 1,000
 * objects, or an index rewritten on every run (a write per run, which the cost budget forbids).
 * Every active ZIP is redrawn each cron period, so in steady state the newest of the first 200 is
 * at most one period older than the newest of all; the page shows its real age.
 */
export async function recentPicture(bucket: R2Bucket, format: FormatName): Promise<ImageMetadata | undefined> {
  const suffix = `/${format}.${FORMATS[format].ext}`;
  const listing = await bucket.list({ limit: LIST_LIMIT });
  let newest: R2Object | undefined;
  for (const object of listing.objects) {
    if (object.key.endsWith(suffix) && (!newest || object.uploaded > newest.uploaded)) newest = object;
  }
  const head = newest ? await bucket.head(newest.key) : null;
  return head ? imageFromObject(head) : undefined;
}
