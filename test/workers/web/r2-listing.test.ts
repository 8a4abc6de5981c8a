import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { getImageMetadata } from '../../../src/storage/image-store';
import { listAllZipObjects, listZipPage } from '../../../src/storage/zip-objects';
import { putPicture } from '../../support/stored-pictures';

/**
 * What the pages rely on in the runtime's R2 (workerd + Miniflare, as under `npm start`), and the
 * listing built on it. Seen here (2026-11-29, miniflare 4.20260426):
 * - list() without `include`: every object's customMetadata and httpMetadata are `{}`;
 * - list({ include: ['customMetadata', 'httpMetadata'] }): both as the put stored them;
 * - with `include`, at most 100 objects per call whatever `limit`, then `truncated: true` and a cursor;
 * - head(key): customMetadata and httpMetadata, no body; null when there is no such key;
 * - a put whose custom metadata exceeds 2,048 bytes (keys and values) is refused (error 10012).
 */
const bucket = () => env.WEATHER_IMAGES;

beforeEach(async () => {
  let listing = await bucket().list();
  while (listing.objects.length > 0) {
    await Promise.all(listing.objects.map((o) => bucket().delete(o.key)));
    listing = await bucket().list();
  }
});

describe('the runtime R2 the listings rely on', () => {
  it('custom metadata comes back from list only with include, and from head', async () => {
    await putPicture(bucket(), { zip: '78729', format: 'rgb_light', generatedAt: '2026-11-28T10:00:00.000Z', place: 'Austin, Texas', runId: 'a'.repeat(32) });
    const plain = (await bucket().list()).objects[0];
    expect(plain.customMetadata).toEqual({});
    const listed = (await bucket().list({ include: ['customMetadata', 'httpMetadata'] })).objects[0];
    expect(listed.customMetadata).toMatchObject({ 'generated-at': '2026-11-28T10:00:00.000Z', place: 'Austin, Texas', 'run-id': 'a'.repeat(32) });
    expect(listed.httpMetadata).toEqual({ contentType: 'image/png' });
    const head = await bucket().head('78729/rgb_light.png');
    expect(head!.customMetadata).toEqual(listed.customMetadata);
    expect(await getImageMetadata(bucket(), '78729', 'rgb_light')).toMatchObject({
      zipCode: '78729',
      format: 'rgb_light',
      generatedAt: '2026-11-28T10:00:00.000Z',
      place: 'Austin, Texas',
      runId: 'a'.repeat(32),
      fileSize: 3,
      contentType: 'image/png',
      width: 296,
      height: 128,
    });
    expect(await bucket().head('78729/bw.bmp')).toBeNull();
    expect(await getImageMetadata(bucket(), '78729', 'bw')).toBeUndefined();
  });

  it('a list with include stops at 100 objects and says it is truncated', async () => {
    await Promise.all(
      Array.from({ length: 130 }, (_, i) => putPicture(bucket(), { zip: String(20000 + i), format: 'bw', generatedAt: '2026-11-28T10:00:00.000Z' })),
    );
    const listing = await bucket().list({ limit: 1000, include: ['customMetadata'] });
    expect(listing.objects).toHaveLength(100);
    expect(listing.truncated).toBe(true);
    expect((await bucket().list({ limit: 1000 })).objects).toHaveLength(130);
  });
});

describe('listing ZIPs a page at a time', () => {
  it('a ZIP cut off at the end of a list moves whole to the next page; every ZIP exactly once', async () => {
    // 21 ZIPs × 5 formats = 105 objects: the first list (100) ends inside ZIP 20.
    const formats = ['rgb_light', 'rgb_dark', 'bw', 'bwi', 'eink'] as const;
    const zips = Array.from({ length: 21 }, (_, i) => String(30000 + i));
    await Promise.all(zips.flatMap((zip) => formats.map((format) => putPicture(bucket(), { zip, format, generatedAt: '2026-11-28T10:00:00.000Z' }))));
    const first = await listZipPage(bucket(), { maxZips: 50 });
    expect(first.zips.map((z) => z.zip)).toEqual(zips.slice(0, 19));
    expect(first.zips.every((z) => z.images.length === 5)).toBe(true);
    expect(first.next).toBe(zips[18]);
    const second = await listZipPage(bucket(), { after: first.next, maxZips: 50 });
    expect(second.zips.map((z) => [z.zip, z.images.length])).toEqual([
      [zips[19], 5],
      [zips[20], 5],
    ]);
    expect(second.next).toBeUndefined();
    // At most maxZips a page, the next page starting right after.
    const small = await listZipPage(bucket(), { maxZips: 3 });
    expect([small.zips.map((z) => z.zip), small.next]).toEqual([zips.slice(0, 3), zips[2]]);
    // The whole bucket, following the cursor: ZIP 20's objects joined across two lists.
    const all = await listAllZipObjects(bucket());
    expect([...all.keys()]).toEqual(zips);
    expect([...all.values()].every((z) => z.images.length === 5)).toBe(true);
  });
});
