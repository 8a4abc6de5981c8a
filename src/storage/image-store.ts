import { z } from 'zod';
import { FORMATS, imageKey, isFormatName, type FormatName } from '../domain/formats';

/**
 * Generated images: bytes in R2 (`{zip}/{format}.{png|bmp}`, overwritten each run) with their
 * metadata in the object's custom metadata, so one R2 list (with `include`) or one head tells
 * everything the pages and the run view show, and no KV key is read or written for it.
 */
export interface ImageMetadata {
  zipCode: string;
  format: FormatName;
  generatedAt: string;
  /** When the weather drawn was fetched: what decides whether a newer run already stored its image. */
  weatherFetchedAt: string;
  latitude: number;
  longitude: number;
  fileSize: number;
  contentType: string;
  width: number;
  height: number;
  etag?: string;
  traceId?: string;
  runId?: string;
  /** "Austin, Texas": the forecast's place name, when the run knew it. */
  place?: string;
}

/**
 * The custom metadata storeImage writes. `generated-at` and `weather-fetched-at` have been on
 * every stored image since the first version; `run-id`, `trace-id` and `place` only on newer ones.
 */
const ImageCustomMetadata = z.object({
  'generated-at': z.string(),
  'weather-fetched-at': z.string(),
  lat: z.coerce.number(),
  lon: z.coerce.number(),
  'run-id': z.string().optional(),
  'trace-id': z.string().optional(),
  place: z.string().optional(),
});

const IMAGE_KEY = /^(\d{5})\/([a-z_]+)\.(png|bmp)$/;

/**
 * An R2 object's image metadata, from its key and custom metadata (a head, or a list with
 * `include: ['customMetadata', 'httpMetadata']`); undefined for any other object.
 */
export function imageFromObject(object: R2Object): ImageMetadata | undefined {
  const match = IMAGE_KEY.exec(object.key);
  if (!match || !isFormatName(match[2]) || FORMATS[match[2]].ext !== match[3]) return undefined;
  const meta = ImageCustomMetadata.safeParse(object.customMetadata ?? {});
  if (!meta.success) return undefined;
  const spec = FORMATS[match[2]];
  const m = meta.data;
  return {
    zipCode: match[1],
    format: match[2],
    generatedAt: m['generated-at'],
    weatherFetchedAt: m['weather-fetched-at'],
    latitude: m.lat,
    longitude: m.lon,
    fileSize: object.size,
    contentType: object.httpMetadata?.contentType || spec.contentType,
    width: spec.width,
    height: spec.height,
    etag: object.httpEtag,
    ...(m['trace-id'] ? { traceId: m['trace-id'] } : {}),
    ...(m['run-id'] ? { runId: m['run-id'] } : {}),
    ...(m.place ? { place: m.place } : {}),
  };
}

/** One image's metadata with one R2 head (class B), without its bytes. */
export async function getImageMetadata(bucket: R2Bucket, zip: string, format: FormatName): Promise<ImageMetadata | undefined> {
  const object = await bucket.head(imageKey(zip, format));
  return object ? imageFromObject(object) : undefined;
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
    const existing = head ? imageFromObject(head) : undefined;
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
    if (object) return { stored: true, metadata: imageFromObject(object)! };
  }
  throw new ImageWriteContendedError(`${key}: another writer changed it ${STORE_ATTEMPTS} times while this one tried to store`);
}

export async function getImage(bucket: R2Bucket, zip: string, format: FormatName): Promise<R2ObjectBody | null> {
  return bucket.get(imageKey(zip, format));
}
