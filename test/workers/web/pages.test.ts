import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { encodings, renderSpritePng, SPRITE_NAMES, TREE_SPECIES } from '../../../src/render';
import type { FormatName } from '../../../src/domain/formats';
import { recordRunDispatched, appendRunFailure, recordRunStarted } from '../../../src/storage/run-log';
import { ASSET_URLS } from '../../../src/web/assets';
import { deployedCadence, freshForMinutes, freshness } from '../../../src/web/freshness';
import { bearer, clearKv, login, send } from './web-client';
import { putPicture } from '../../support/stored-pictures';

const MINUTE = 60_000;

async function seedImage(zip: string, format: FormatName, ageMinutes: number, place?: string): Promise<void> {
  await putPicture(env.WEATHER_IMAGES, { zip, format, generatedAt: new Date(Date.now() - ageMinutes * MINUTE).toISOString(), place });
}

function pngSize(bytes: Uint8Array): [number, number] {
  expect([...bytes.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
}

async function html(path: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await send(path, { headers });
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  return res.text();
}

beforeEach(async () => {
  await clearKv(['zip:', 'geo:', 'run:']);
  for (const object of (await env.WEATHER_IMAGES.list()).objects) await env.WEATHER_IMAGES.delete(object.key);
});

describe('public pages', () => {
  it('home shows the renderer-drawn example until a picture exists, then the newest rgb_light', async () => {
    expect(await html('/')).toContain('src="/assets/example.png"');
    const example = new Uint8Array(await (await send('/assets/example.png')).arrayBuffer());
    expect(pngSize(example)).toEqual([296, 128]);

    // Stored in this order, so 11111's is the newest upload (and, listed first, wins a tie of upload times).
    await seedImage('22222', 'rgb_light', 50, 'Shelbyville, Illinois');
    await seedImage('11111', 'rgb_light', 3, 'Springfield, Illinois');
    await seedImage('33333', 'bw', 1); // newer, but not a colour picture
    const page = await html('/');
    expect(page).toMatch(/src="\/11111\/rgb_light\.png\?v=[^"]+"/);
    expect(page).toContain('Springfield, Illinois');
    expect(page).toContain('drawn 3 min ago');
    expect(page).not.toContain('/assets/example.png');
  });

  it('forecasts: one card per ZIP with pictures, a freshness badge, and a link per format', async () => {
    expect(await html('/forecasts')).toContain('No pictures yet');
    await seedImage('11111', 'rgb_light', 5);
    await seedImage('11111', 'eink', 6);
    await seedImage('22222', 'rgb_light', 120);
    const page = await html('/forecasts');
    const card = (zip: string) => page.slice(page.indexOf(`id="zip-${zip}"`), page.indexOf('</li>', page.lastIndexOf(`/${zip}/`)));
    expect(card('11111')).toContain('data-freshness="fresh">Up to date<');
    expect(card('11111')).toContain('href="/11111/rgb_light.png"');
    expect(card('11111')).toContain('href="/11111/eink.bmp"');
    expect(card('22222')).toContain('data-freshness="stale">Not updating<');
    expect(page).toContain(`less than ${freshForMinutes(15)} minutes old`);
    expect(page).toContain('redrawn every 15 minutes');
    // Everything fits one page: no pager. A page after a ZIP starts with the next one.
    expect(page).not.toContain('class="pager"');
    const later = await html('/forecasts?after=11111');
    expect(later).not.toContain('id="zip-11111"');
    expect(later).toContain('id="zip-22222"');
    expect(later).toContain('<a href="/forecasts">First page</a>');
    expect(await html('/forecasts?after=22222')).toContain('No more pictures after ZIP code 22222.');
  });

  it('freshness: "Up to date" below 30 minutes, "Not updating" from 30 on', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    const at = (minutes: number) => new Date(now - minutes * MINUTE).toISOString();
    expect(freshForMinutes(15)).toBe(30);
    expect(freshness(at(0), now)).toBe('fresh');
    expect(freshness(at(29.9), now)).toBe('fresh');
    expect(freshness(at(30), now)).toBe('stale');
    expect(freshness('not a date', now)).toBe('stale');
  });

  it('freshness follows the deployed cadence: two cron periods, whatever CRON_CADENCE_MINUTES chose', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    const at = (minutes: number) => new Date(now - minutes * MINUTE).toISOString();
    expect(deployedCadence({})).toBe(15);
    expect(deployedCadence({ CRON_CADENCE_MINUTES: '60' })).toBe(60);
    expect(freshness(at(100), now, deployedCadence({ CRON_CADENCE_MINUTES: '60' }))).toBe('fresh');
    expect(freshness(at(120), now, 60)).toBe('stale');
    expect(freshness(at(59.9), now, 30)).toBe('fresh');
    expect(freshness(at(60), now, 30)).toBe('stale');
    // A value deploy would refuse, set by hand: the pages keep the default (and log why).
    expect(deployedCadence({ CRON_CADENCE_MINUTES: '45' })).toBe(15);
  });

  it('guide: every element drawn with the renderer’s own sprites, thresholds quoted from the encodings', async () => {
    const page = await html('/guide');
    const used = [...page.matchAll(/src="\/sprites\/([a-z0-9-]+)\.png"/g)].map((m) => m[1]);
    for (const name of used) expect(SPRITE_NAMES).toContain(name);
    for (const name of ['house', 'sun', 'moon', 'flower-noon', 'flower-midnight', 'cloud-1', 'cloud-2', 'cloud-3', 'cloud-4', 'cloud-5']) {
      expect(used).toContain(name);
    }
    for (const species of TREE_SPECIES) for (const size of [1, 2, 3, 4]) expect(used).toContain(`${species}-${size}`);
    for (const crop of ['smoke-low', 'smoke-high', 'rain', 'snow', 'temperature']) {
      expect(page).toContain(`src="/assets/guide/${crop}.png"`);
      const res = await send(`/assets/guide/${crop}.png`);
      expect(res.status).toBe(200);
      pngSize(new Uint8Array(await res.arrayBuffer()));
    }
    expect(page).toContain(`under ${encodings.CALM_WIND_MS} m/s: no trees`);
    expect(page).toContain(`≤ ${encodings.LOW_PRESSURE_HPA} hPa`);
    expect(page).toContain(`${encodings.OVERCAST_PCT}% and more`);
  });

  it('serves every sprite as the renderer draws it', async () => {
    for (const name of SPRITE_NAMES) {
      const res = await send(`/sprites/${name}.png`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(renderSpritePng(name, 4, { theme: 'light', transparent: true }));
    }
    expect((await send('/sprites/nope.png')).status).toBe(404);
    expect((await send('/assets/guide/nope.png')).status).toBe(404);
  });

  it('pages carry no inline script, inline style, or script at all outside the admin', async () => {
    await send('/admin/activate?zip=78729', { method: 'POST', headers: bearer() });
    const runId = 'abcdefabcdefabcdefabcdefabcdef12';
    await recordRunStarted(env.CONFIG, runId, { zip: '78729', trigger: 'admin' });
    const { cookie } = await login();
    const pages: Array<[string, Record<string, string>]> = [
      ['/', {}],
      ['/forecasts', {}],
      ['/guide', {}],
      ['/admin', {}],
      ['/admin', { cookie: cookie! }],
      [`/admin/run/${runId}`, { cookie: cookie! }],
    ];
    for (const [path, headers] of pages) {
      const page = await html(path, headers);
      expect(page.startsWith('<!doctype html><html lang="en">'), path).toBe(true);
      expect(page, path).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(page, path).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
      expect(page, path).toContain(`<link rel="stylesheet" href="${ASSET_URLS.css}"/>`);
      expect(page, path).toContain('<link rel="icon" type="image/png" href="/favicon.png"/>');
      const scripted = path.startsWith('/admin') && headers.cookie !== undefined;
      expect(page.includes('/assets/admin.js'), path).toBe(scripted);
      for (const img of page.match(/<img\b[^>]*>/g) ?? []) expect(img, path).toMatch(/\salt="[^"]+"/);
    }
  });
});

describe('assets and hygiene', () => {
  it('serves the stylesheet and admin script with their types and a cache lifetime tied to the version', async () => {
    const css = await send(ASSET_URLS.css);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toContain('immutable');
    expect(await css.text()).toContain('image-rendering: pixelated');
    const js = await send(ASSET_URLS.adminJs);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toContain("'x-csrf-token'");
    expect((await send('/assets/site.css?v=old')).headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('robots.txt keeps crawlers out of /admin', async () => {
    const res = await send('/robots.txt');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('User-agent: *\nDisallow: /admin\n');
  });

  it('favicon from our house sprite, as PNG and as ICO', async () => {
    const png = new Uint8Array(await (await send('/favicon.png')).arrayBuffer());
    expect(pngSize(png)).toEqual([48, 48]);
    const ico = await send('/favicon.ico');
    expect(ico.headers.get('content-type')).toBe('image/x-icon');
    const bytes = new Uint8Array(await ico.arrayBuffer());
    expect([...bytes.slice(0, 6)]).toEqual([0, 0, 1, 0, 1, 0]);
    expect(bytes.slice(22)).toEqual(png);
  });

  it.each([
    ['/', 200],
    ['/guide', 200],
    ['/assets/example.png', 200],
    ['/78729/rgb_light.png', 404],
    ['/nope/deeper/path', 404],
    ['/admin/status', 401],
    ['/admin', 200],
  ] as const)('security headers on %s', async (path, status) => {
    const res = await send(path);
    expect(res.status).toBe(status);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|data:/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });

  it('lets other sites embed the pictures (CORP cross-origin) and keeps the image routes unchanged', async () => {
    await env.WEATHER_IMAGES.put('44444/rgb_light.png', renderSpritePng('house'), { httpMetadata: { contentType: 'image/png' } });
    const res = await send('/44444/rgb_light.png');
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('cache-control')).toBe('public, max-age=900');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const again = await send('/44444/rgb_light.png', { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('admin answers are never cached', async () => {
    for (const path of ['/admin', '/admin/status']) expect((await send(path)).headers.get('cache-control'), path).toBe('no-store');
    expect((await send('/admin/status', { headers: bearer() })).headers.get('cache-control')).toBe('no-store');
  });
});

describe('run view page', () => {
  it('shows the trace id, the Jaeger link and the stages, server-rendered', async () => {
    const runId = '0af7651916cd43dd8448eb211c80319c';
    const weatherAt = '2026-11-24T05:00:01.000Z';
    await recordRunStarted(env.CONFIG, runId, { zip: '78729', trigger: 'admin' }, new Date('2026-11-24T05:00:00Z'));
    await recordRunDispatched(
      env.CONFIG,
      runId,
      { weather_fetched_at: weatherAt, provider: 'open-meteo', formats: ['rgb_light', 'bw'] },
      new Date('2026-11-24T05:00:02Z'),
    );
    await env.WEATHER_IMAGES.put('78729/rgb_light.png', new Uint8Array(2000), {
      customMetadata: {
        'generated-at': '2026-11-24T05:00:03.000Z',
        'weather-fetched-at': weatherAt,
        zip: '78729',
        lat: '30.3',
        lon: '-97.7',
        size: '2000',
        'run-id': runId,
      },
    });
    await appendRunFailure(
      env.CONFIG,
      runId,
      { stage: 'landscape-jobs', outcome: 'retry', error_type: 'R2Error', message: 'bucket <b>unavailable</b>', attempts: 1 },
      'bw',
      new Date('2026-11-24T05:00:04Z'),
    );
    const { cookie } = await login();
    const page = await html(`/admin/run/${runId}`, { cookie: cookie! });
    expect(page).toContain(`<code id="trace-id">${runId}</code>`);
    expect(page).toContain(`href="http://localhost:16686/trace/${runId}"`);
    expect(page).toContain('data-status="rendering"');
    expect(page).toContain('1 of 2 images rendered');
    expect(page).toContain('2 jobs: rgb_light, bw');
    expect(page).toContain('Fetched 05:00:01 UTC from open-meteo');
    expect(page).toContain('bucket &lt;b&gt;unavailable&lt;/b&gt;'); // escaped, never markup
    expect(page).toContain('src="/78729/rgb_light.png?v=');

    const off = await send(`/admin/run/${runId}`, { headers: { cookie: cookie! } }, { ...env, OTEL_SDK_DISABLED: 'true' });
    expect(await off.text()).toContain('tracing is off');
    expect((await send('/admin/run/ffffffffffffffffffffffffffffffff', { headers: { cookie: cookie! } })).status).toBe(404);
  });

  it('asks an unauthenticated browser to log in, and shows nothing of the run', async () => {
    const runId = '1af7651916cd43dd8448eb211c80319c';
    await recordRunStarted(env.CONFIG, runId, { zip: '65432', trigger: 'admin' });
    const page = await html(`/admin/run/${runId}`);
    expect(page).toContain('id="token"');
    expect(page).toContain(`name="next" value="/admin/run/${runId}"`);
    expect(page).not.toContain('65432');
  });
});
