import { z } from 'zod';
import { FORMATS, imageKey, type FormatName } from '../domain/formats';
import { listAllKeys } from './kv-list';

/**
 * Generated images: bytes in R2 (`{zip}/{format}.{png|bmp}`, overwritten each run) and a small
 * metadata record in KV (`metadata:{zip}:{format}`) that pages can list without touching R2.
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
});
export type ImageMetadata = z.infer<typeof ImageMetadata>;

function metadataKey(zip: string, format: string): string {
  return `metadata:${zip}:${format}`;
}

export async function getImageMetadata(kv: KVNamespace, zip: string, format: string): Promise<ImageMetadata | undefined> {
  const parsed = ImageMetadata.safeParse(await kv.get(metadataKey(zip, format), 'json'));
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
  const existing = await getImageMetadata(kv, image.zip, image.format);
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

/** Metadata of every stored image, grouped by ZIP (follows KV's cursor past 1,000 keys). */
export async function listImages(kv: KVNamespace): Promise<Map<string, ImageMetadata[]>> {
  const keys = await listAllKeys(kv, 'metadata:');
  const byZip = new Map<string, ImageMetadata[]>();
  const records = await Promise.all(keys.map((key) => kv.get(key, 'json')));
  for (const record of records) {
    const parsed = ImageMetadata.safeParse(record);
    if (!parsed.success) continue;
    const list = byZip.get(parsed.data.zipCode) ?? [];
    list.push(parsed.data);
    byZip.set(parsed.data.zipCode, list);
  }
  return byZip;
}
