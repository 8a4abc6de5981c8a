import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { FORMAT_NAMES } from '../../../src/domain/formats';
import { getFormats } from '../../../src/storage/format-config';
import { listZips, registerZip, setZipActive } from '../../../src/storage/zip-registry';
import { OpCounter } from '../../support/binding-ops';
import { bearer, clearKv, send } from './web-client';
import { putPicture } from '../../support/stored-pictures';

/** Concurrent admin changes lose nothing, and one truth about which ZIPs the admin knows. */

beforeEach(async () => {
  await clearKv(['zip:', 'formats:']);
  for (const object of (await env.WEATHER_IMAGES.list()).objects) await env.WEATHER_IMAGES.delete(object.key);
});

const post = (path: string) => send(path, { method: 'POST', headers: bearer() });
type Status = { zips: Array<{ zip: string; active: boolean; formats: string[] }>; active_zips: string[] };
const status = async () => await (await send('/admin/status', { headers: bearer() })).json<Status>();

describe('concurrent admin changes', () => {
  it('20 concurrent formats/add for one ZIP: every format is present afterwards', async () => {
    const extra = FORMAT_NAMES.filter((f) => f !== 'rgb_light');
    const requests = Array.from({ length: 20 }, (_, i) => extra[i % extra.length]);
    const answers = await Promise.all(requests.map((format) => post(`/admin/formats/add?zip=30301&format=${format}`)));
    expect(answers.map((r) => r.status)).toEqual(requests.map(() => 200));
    expect(await getFormats(env.CONFIG, '30301')).toEqual(FORMAT_NAMES);
    expect((await status()).zips.find((z) => z.zip === '30301')?.formats).toEqual(FORMAT_NAMES);
  });

  it('concurrent adds and removes of different formats of one ZIP do not undo each other', async () => {
    await post('/admin/formats/add?zip=30302&format=bw');
    await post('/admin/formats/add?zip=30302&format=bwi');
    const changes = [
      ...Array.from({ length: 5 }, () => post('/admin/formats/remove?zip=30302&format=bw')),
      ...Array.from({ length: 5 }, () => post('/admin/formats/add?zip=30302&format=eink')),
      ...Array.from({ length: 5 }, () => post('/admin/formats/add?zip=30302&format=rgb_dark')),
      ...Array.from({ length: 5 }, () => post('/admin/formats/remove?zip=30302&format=bwi')),
    ];
    expect((await Promise.all(changes)).every((r) => r.status === 200)).toBe(true);
    expect(await getFormats(env.CONFIG, '30302')).toEqual(['rgb_light', 'rgb_dark', 'eink']);
  });

  it('20 concurrent activations: all active afterwards; a generate racing an activation keeps it active', async () => {
    const zips = Array.from({ length: 20 }, (_, i) => String(31000 + i));
    const answers = await Promise.all([
      ...zips.map((zip) => post(`/admin/activate?zip=${zip}`)),
      // The same ZIPs named by other admin calls at the same moment: they register, never deactivate.
      ...zips.map((zip) => post(`/admin/formats/add?zip=${zip}&format=bw`)),
    ]);
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect((await status()).active_zips.sort()).toEqual(zips);
  });
});

describe('one truth about ZIPs', () => {
  it('a generate through the API makes the ZIP appear in /admin and /admin/status, inactive', async () => {
    expect((await post('/admin/generate?zip=78729')).status).toBe(202);
    expect((await status()).zips).toEqual([expect.objectContaining({ zip: '78729', active: false, formats: ['rgb_light'] })]);
    const page = await (await send('/admin', { headers: bearer() })).text();
    expect(page).toContain('ZIP codes (1)');
    expect(page).toContain('data-zip="78729"');
  });

  it('formats/add and formats/remove register an unknown ZIP; GET /admin/formats does not', async () => {
    expect((await send('/admin/formats?zip=40001', { headers: bearer() })).status).toBe(200);
    expect((await status()).zips).toEqual([]);
    expect((await post('/admin/formats/add?zip=40002&format=bw')).status).toBe(200);
    expect((await post('/admin/formats/remove?zip=40003&format=bw')).status).toBe(200);
    expect((await status()).zips.map((z) => [z.zip, z.active])).toEqual([
      ['40002', false],
      ['40003', false],
    ]);
  });

  it('a ZIP with images or format configuration but no registry entry (older data) is listed too', async () => {
    await env.CONFIG.put('formats:40010', JSON.stringify(['eink'])); // the layout before one key per format
    await putPicture(env.WEATHER_IMAGES, { zip: '40011', format: 'rgb_light', generatedAt: '2026-11-24T05:00:00.000Z' });
    const zips = (await status()).zips;
    expect(zips.map((z) => [z.zip, z.active, z.formats])).toEqual([
      ['40010', false, ['rgb_light', 'eink']],
      ['40011', false, ['rgb_light']],
    ]);
    expect(await (await send('/admin', { headers: bearer() })).text()).toContain('ZIP codes (2)');
  });

  it('moves a legacy formats list into per-format keys on the first change, keeping its formats', async () => {
    await env.CONFIG.put('formats:40020', JSON.stringify(['bw', 'eink']));
    expect(await getFormats(env.CONFIG, '40020')).toEqual(['rgb_light', 'bw', 'eink']);
    await post('/admin/formats/remove?zip=40020&format=bw');
    expect(await env.CONFIG.get('formats:40020')).toBeNull();
    expect(await getFormats(env.CONFIG, '40020')).toEqual(['rgb_light', 'eink']);
  });
});

describe('the ZIP registry in KV', () => {
  it('is read with one list: values ride in key metadata; a key from before is read with a get', async () => {
    await setZipActive(env.CONFIG, '40030', true);
    await registerZip(env.CONFIG, '40031');
    await env.CONFIG.put('zip:40032', JSON.stringify({ active: true, updated_at: '2026-11-01T00:00:00.000Z' })); // written before key metadata
    const ops = new OpCounter();
    const zips = await listZips(ops.wrap(env.CONFIG, 'KV CONFIG'));
    expect(zips).toEqual([
      { zip: '40030', active: true, updated_at: expect.any(String) },
      { zip: '40031', active: false },
      { zip: '40032', active: true, updated_at: '2026-11-01T00:00:00.000Z' },
    ]);
    expect(ops.counts).toEqual({ 'KV CONFIG list': 1, 'KV CONFIG get': 1 });
  });

  it('a ZIP is registered once: later admin calls naming it read the marker and write nothing', async () => {
    const ops = new OpCounter();
    const kv = ops.wrap(env.CONFIG, 'KV CONFIG');
    await registerZip(kv, '40040');
    await registerZip(kv, '40040');
    await registerZip(kv, '40040');
    expect(ops.counts).toEqual({ 'KV CONFIG get': 3, 'KV CONFIG put': 1 });
    expect((await status()).zips.map((z) => z.zip)).toEqual(['40040']);
  });
});
