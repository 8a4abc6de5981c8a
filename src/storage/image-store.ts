import { z } from 'zod';
import { FORMAT_NAMES, FORMATS, imageKey, isFormatName, type FormatName } from '../domain/formats';

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

/**
 * The KV copy `metadata:{zip}:{format}` the write side still keeps: storeImage's newer-weather
 * check reads it; every page reads R2 only.
 */
function metadataKey(zip: string, format: string): string {
  return `metadata:${zip}:${format}`;
}

const KvImageRecord = z.object({
  zipCode: z.string(),
  format: z.enum(FORMAT_NAMES as [FormatName, ...FormatName[]]),
  generatedAt: z.string(),
  weatherFetchedAt: z.string(),
  latitude: z.number(),
  longitude: z.number(),
  fileSize: z.number(),
  contentType: z.string(),
  width: z.number(),
  height: z.number(),
  etag: z.string().optional(),
  traceId: z.string().optional(),
});

async function kvImageRecord(kv: KVNamespace, zip: string, format: FormatName): Promise<ImageMetadata | undefined> {
  const parsed = KvImageRecord.safeParse(await kv.get(metadataKey(zip, format), 'json'));
  return parsed.success ? parsed.data : undefined;
}

export type StoreResult = { stored: true; metadata: ImageMetadata } | { stored: false; reason: 'newer_image_exists'; existing: ImageMetadata };

/**
 * Stores an image unless one drawn from newer weather is already there, so a late or
 * duplicated delivery of an older run never replaces a fresher picture.
 */
export async function storeImage(
  bucket: R2Bucket,
  kv: KVNamespace,
  image: { zip: string; format: FormatName; bytes: Uint8Array; weatherFetchedAt: string; lat: number; lon: number; traceId?: string },
  now = new Date(),
): Promise<StoreResult> {
  const existing = await kvImageRecord(kv, image.zip, image.format);
  if (existing && Date.parse(existing.weatherFetchedAt) > Date.parse(image.weatherFetchedAt)) {
    return { stored: false, reason: 'newer_image_exists', existing };
  }
  const spec = FORMATS[image.format];
  const generatedAt = now.toISOString();
  const object = await bucket.put(imageKey(image.zip, image.format), image.bytes, {
    httpMetadata: { contentType: spec.contentType },
    customMetadata: {
      'generated-at': generatedAt,
      'weather-fetched-at': image.weatherFetchedAt,
      zip: image.zip,
      lat: String(image.lat),
      lon: String(image.lon),
      size: String(image.bytes.byteLength),
    },
  });
  const metadata: ImageMetadata = {
    zipCode: image.zip,
    format: image.format,
    generatedAt,
    weatherFetchedAt: image.weatherFetchedAt,
    latitude: image.lat,
    longitude: image.lon,
    fileSize: image.bytes.byteLength,
    contentType: spec.contentType,
    width: spec.width,
    height: spec.height,
    etag: object?.httpEtag,
    traceId: image.traceId,
  };
  await kv.put(metadataKey(image.zip, image.format), JSON.stringify(metadata));
  return { stored: true, metadata };
}

export async function getImage(bucket: R2Bucket, zip: string, format: FormatName): Promise<R2ObjectBody | null> {
  return bucket.get(imageKey(zip, format));
}
