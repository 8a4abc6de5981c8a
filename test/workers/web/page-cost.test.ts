import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_NAMES, imageKey } from '../../../src/domain/formats';
import { recordZipFailure } from '../../../src/storage/zip-status';
import { OpCounter } from '../../support/binding-ops';
import { cardZips, nextAfter, pageCosts, type PageView } from '../../support/page-cost';
import { putPicture, seededZip, seedZips } from '../../support/stored-pictures';
import { bearer, send, webEnv } from './web-client';

/**
 * What a page view costs in KV/R2 operations with 1,000 ZIPs × 5 formats stored: a bounded number,
 * whatever the number of ZIPs (issue 13, item 3). The bindings the worker gets count every call.
 */
const ZIPS = 1000;
const FAILED = [seededZip(7), seededZip(420), seededZip(999)];
let zips: string[];

beforeAll(async () => {
  zips = await seedZips(env.WEATHER_IMAGES, env.CONFIG, { count: ZIPS });
  // Redrawn last: the newest upload (and the first key, should an upload time be shared).
  await putPicture(env.WEATHER_IMAGES, { zip: zips[0], format: 'rgb_light', generatedAt: new Date().toISOString(), place: 'Springfield, Illinois' });
  for (const zip of FAILED) {
    await recordZipFailure(env.WEATHER_IMAGES, {
      schema_version: 1,
      queue: 'fetch-jobs',
      message_id: `m-${zip}`,
      attempts: 4,
      reason: 'gave up after 4 attempts: open-meteo forecast: HTTP 503 Service Unavailable',
      error_type: 'WeatherApiError',
      trace_id: '6e0c63257de34c92bf9efcd03927272e',
      span_id: '2a1b3c4d5e6f7a8b',
      dead_lettered_at: new Date().toISOString(),
      body: { schema_version: 1, zip_code: zip, scheduled_at: new Date().toISOString(), trigger: 'cron' },
    });
  }
}, 120_000);

/** One view through counting bindings: its status, body and operations. */
async function view(path: string, headers: Record<string, string> = {}): Promise<PageView> {
  const ops = new OpCounter();
  const res = await send(
    path,
    { headers },
    webEnv({ CONFIG: ops.wrap(env.CONFIG, 'KV CONFIG'), WEATHER_IMAGES: ops.wrap(env.WEATHER_IMAGES, 'R2 WEATHER_IMAGES') }),
  );
  return { status: res.status, html: await res.text(), ops: ops.counts };
}

describe(`page views with ${ZIPS} ZIPs × ${FORMAT_NAMES.length} formats`, () => {
  it('/ costs one R2 list and one head, no KV operation, and shows the newest picture with its place', async () => {
    const { status, html, ops } = await view('/');
    expect(status).toBe(200);
    expect(ops).toEqual({ 'R2 WEATHER_IMAGES list': 1, 'R2 WEATHER_IMAGES head': 1 });
    expect(html).toMatch(new RegExp(`src="/${zips[0]}/rgb_light\\.png\\?v=`));
    expect(html).toContain('Springfield, Illinois');
  });

  it('/forecasts costs one R2 list per page; paging shows every ZIP exactly once and whole, at most 50 a page', async () => {
    const seen: string[] = [];
    const costs: Array<Record<string, number>> = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const { status, html, ops } = await view(after ? `/forecasts?after=${after}` : '/forecasts');
      expect(status).toBe(200);
      costs.push(ops);
      const onPage = cardZips(html);
      expect(onPage.length, `page ${pages + 1}`).toBeLessThanOrEqual(50);
      seen.push(...onPage);
      expect(onPage.length, `page ${pages + 1}`).toBeGreaterThan(0);
      // Whole: a ZIP cut off at the end of a list is left to the next page, never shown in part.
      for (const zip of onPage) {
        for (const format of FORMAT_NAMES) expect(html, `${zip} ${format}`).toContain(`href="/${imageKey(zip, format)}"`);
      }
      if (pages === 0) {
        expect(html).toContain('Place 7');
        const failed = html.slice(html.indexOf(`id="zip-${FAILED[0]}"`), html.indexOf('</li>', html.indexOf(`data-zip="${FAILED[0]}"`)));
        expect(failed).toContain('class="badge failed"');
        expect(failed).toContain('weather service unreachable or refusing');
      }
      after = nextAfter(html);
      pages++;
    } while (after && pages < 100);
    expect(
      costs.every((ops) => JSON.stringify(ops) === JSON.stringify({ 'R2 WEATHER_IMAGES list': 1 })),
      JSON.stringify(costs[0]),
    ).toBe(true);
    // Every ZIP once, in order, across the pages (each page shows the whole ZIPs one list returned).
    expect(seen).toEqual(zips);
    console.info('forecasts pages', { zips: ZIPS, pages, zips_per_page: seen.length / pages });
  });

  it('/admin/status and /admin read lists only, no get per ZIP', async () => {
    for (const path of ['/admin/status', '/admin']) {
      const { status, ops } = await view(path, bearer());
      expect(status, path).toBe(200);
      // 5,003 objects: one R2 list per 100 objects under Miniflare (lists with metadata stop at 100;
      // R2 may return up to 1,000); 1,000 registry keys: 1 KV list; no formats configured: 1 KV list.
      expect(ops, path).toEqual({ 'R2 WEATHER_IMAGES list': Math.ceil((ZIPS * FORMAT_NAMES.length + FAILED.length) / 100), 'KV CONFIG list': 2 });
    }
  });

  it('the figures for the cost ledger: /, /forecasts and its next page', async () => {
    const costs = await pageCosts((path) => view(path));
    console.info('page costs with 1,000 ZIPs × 5 formats', costs);
    expect(costs).toEqual({
      home: { 'R2 WEATHER_IMAGES list': 1, 'R2 WEATHER_IMAGES head': 1 },
      forecasts: { 'R2 WEATHER_IMAGES list': 1 },
      forecastsNext: { 'R2 WEATHER_IMAGES list': 1 },
      zipsPerPage: expect.any(Number),
    });
  });

  it('a bad page cursor is a 400 with the reason, not a page', async () => {
    const { status, html, ops } = await view('/forecasts?after=12');
    expect(status).toBe(400);
    expect(JSON.parse(html)).toEqual({ error: 'Invalid ZIP code. Must be 5 digits.' });
    expect(ops).toEqual({});
  });
});
