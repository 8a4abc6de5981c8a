import { z } from 'zod';
import { FORMATS, isFormatName, imageKey, type FormatName } from '../domain/formats';

/**
 * Generated images: R2 `{zip}/{format}.{png|bmp}`, overwritten each run, with everything about the
 * picture in the object's custom metadata (nothing in KV):
 * `generated-at`, `weather-fetched-at`, `zip`, `lat`, `lon`, `size`, `run-id` (admin and replay
 * runs), `trace-id` (when traced), `place` (when geocoded with a name).
 */
export const ImageMetadata = z.object({
  zipCode: z.string(),
  format: z.string(),
  generatedAt: z.string(),
  /** When the weather drawn was fetched: what decides whether a newer run already stored its image. */
  weatherFetchedAt: z.string(),
  latitude: z.number(),
  longitude: z.number(),
  fileSize: z.number(),
  contentType: z.string(),
  width: z.number(),
  height: z.number(),
  etag: z.string().optional(),
  traceId: z.string().optional(),
  runId: z.string().optional(),
  place: z.string().optional(),
});
export type ImageMetadata = z.infer<typeof ImageMetadata>;

/** The metadata of an R2 image object (from a head, get or list with customMetadata), or undefined if it is not one of ours. */
export function imageMetadataOf(object: R2Object): ImageMetadata | undefined {
  const m = object.customMetadata ?? {};
  const format = object.key.slice(object.key.indexOf('/') + 1).replace(/\.(png|bmp)$/, '');
  if (!isFormatName(format) || !m.zip || !m['weather-fetched-at']) return undefined;
  const spec = FORMATS[format];
  const parsed = ImageMetadata.safeParse({
    zipCode: m.zip,
    format,
    generatedAt: m['generated-at'] ?? object.uploaded.toISOString(),
    weatherFetchedAt: m['weather-fetched-at'],
    latitude: Number(m.lat),
    longitude: Number(m.lon),
    fileSize: object.size,
    contentType: object.httpMetadata?.contentType ?? spec.contentType,
    width: spec.width,
    height: spec.height,
    etag: object.httpEtag,
    ...(m['trace-id'] ? { traceId: m['trace-id'] } : {}),
    ...(m['run-id'] ? { runId: m['run-id'] } : {}),
    ...(m.place ? { place: m.place } : {}),
  });
  return parsed.success ? parsed.data : undefined;
}

export type StoreResult = { stored: true; metadata: ImageMetadata } | { stored: false; reason: 'newer_image_exists'; existing: ImageMetadata };

export interface ImageToStore {
  zip: string;
  format: FormatName;
  bytes: Uint8Array;
  weatherFetchedAt: string;
  lat: number;
  lon: number;
  traceId?: string;
  runId?: string;
  place?: string;
}

/** Thrown when other writers kept winning the race for the same key: the message is retried. */
export class ImageWriteContendedError extends Error {
  readonly transient = true;
  readonly errorType = 'image_write_contended';
}

/** Head + conditional put rounds before giving the message back to the queue to retry later. */
const STORE_ATTEMPTS = 3;

/**
 * Stores an image unless one drawn from newer weather is already there, so a late or duplicated
 * delivery of an older run never replaces a fresher picture. A compare-and-swap on R2 alone: head
 * the object, compare `weather-fetched-at`, put only if the object is still the one we looked at
 * (`etagMatches` its etag) or, when there was none, still absent (`etagDoesNotMatch: '*'`). A put
 * whose condition fails returns null: another writer got in between, so look again.
 * Checked in miniflare/workerd (wrangler 4.86): `etagMatches` with a stale etag → null, on an absent
 * key → null; `etagDoesNotMatch: '*'` (and `If-None-Match: *`) → null when the key exists, stored
 * when absent. Equal weather times overwrite: a redelivery of the same job stores the same picture.
 */
export async function storeImage(bucket: R2Bucket, image: ImageToStore, now = new Date()): Promise<StoreResult> {
  const key = imageKey(image.zip, image.format);
  const spec = FORMATS[image.format];
  for (let attempt = 1; attempt <= STORE_ATTEMPTS; attempt++) {
    const head = await bucket.head(key);
    const existing = head ? imageMetadataOf(head) : undefined;
    if (existing && Date.parse(existing.weatherFetchedAt) > Date.parse(image.weatherFetchedAt)) {
      return { stored: false, reason: 'newer_image_exists', existing };
    }
    const generatedAt = now.toISOString();
    const customMetadata: Record<string, string> = {
      'generated-at': generatedAt,
      'weather-fetched-at': image.weatherFetchedAt,
      zip: image.zip,
      lat: String(image.lat),
      lon: String(image.lon),
      size: String(image.bytes.byteLength),
      ...(image.runId ? { 'run-id': image.runId } : {}),
      ...(image.traceId ? { 'trace-id': image.traceId } : {}),
      ...(image.place ? { place: image.place } : {}),
    };
    const object = await bucket.put(key, image.bytes, {
      httpMetadata: { contentType: spec.contentType },
      customMetadata,
      onlyIf: head ? { etagMatches: head.etag } : { etagDoesNotMatch: '*' },
    });
    if (object) return { stored: true, metadata: imageMetadataOf(object)! };
  }
  throw new ImageWriteContendedError(`${key}: another writer changed it ${STORE_ATTEMPTS} times while this one tried to store`);
}

export async function getImage(bucket: R2Bucket, zip: string, format: FormatName): Promise<R2ObjectBody | null> {
  return bucket.get(imageKey(zip, format));
}

/** The image's metadata from an R2 head (one class B operation), or undefined when there is none. */
export async function headImage(bucket: R2Bucket, zip: string, format: FormatName): Promise<ImageMetadata | undefined> {
  const head = await bucket.head(imageKey(zip, format));
  return head ? imageMetadataOf(head) : undefined;
}

/**
 * Metadata of every stored image, grouped by ZIP, from R2 listings with custom metadata (1,000
 * objects a page, following the cursor).
 */
export async function listImages(bucket: R2Bucket): Promise<Map<string, ImageMetadata[]>> {
  const byZip = new Map<string, ImageMetadata[]>();
  let cursor: string | undefined;
  do {
    // `include` is honoured at our compatibility date (2026-04-01); the default workers-types entry predates it.
    const page = await bucket.list({ cursor, include: ['customMetadata', 'httpMetadata'] } as R2ListOptions);
    for (const object of page.objects) {
      const metadata = imageMetadataOf(object);
      if (!metadata) continue;
      const list = byZip.get(metadata.zipCode) ?? [];
      list.push(metadata);
      byZip.set(metadata.zipCode, list);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return byZip;
}
