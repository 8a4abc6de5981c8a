import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../src/messages/dead-letter';
import { setZipActive } from '../../../src/storage/zip-registry';
import { failureKey, recordZipFailure } from '../../../src/storage/zip-status';
import { OpCounter } from '../../support/binding-ops';
import { putPicture } from '../../support/stored-pictures';
import { bearer, clearKv, send, webEnv } from './web-client';

/** A ZIP's failed run told where people look: the image route (JSON or headers) and /forecasts. */
const TRACE = '6e0c63257de34c92bf9efcd03927272e';

function letter(zip: string, at: string, extra: Partial<DeadLetter> = {}, body: Record<string, unknown> = {}): DeadLetter {
  return {
    schema_version: 1,
    queue: 'fetch-jobs',
    message_id: `m-${zip}`,
    attempts: 1,
    reason: `Unknown ZIP ${zip}: no US result from the geocoder`,
    error_type: 'UnknownZipError',
    trace_id: TRACE,
    span_id: '2a1b3c4d5e6f7a8b',
    dead_lettered_at: at,
    body: { schema_version: 1, zip_code: zip, scheduled_at: at, trigger: 'admin', ...body },
    ...extra,
  };
}

const storePicture = (zip: string, format: 'rgb_light' | 'bw', generatedAt: string) => putPicture(env.WEATHER_IMAGES, { zip, format, generatedAt });
const images = () => env.WEATHER_IMAGES;

beforeEach(async () => {
  await clearKv(['zip:']);
  for (const object of (await env.WEATHER_IMAGES.list()).objects) await env.WEATHER_IMAGES.delete(object.key);
});

describe('a ZIP whose last run failed', () => {
  it('with no picture: the image route answers 404 JSON saying it failed, when and why in words', async () => {
    await recordZipFailure(images(), letter('99999', '2026-11-28T10:00:00.000Z'));
    const res = await send('/99999/rgb_light.png');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: 'No image: the last generation failed (unknown ZIP code).',
      status: 'failed',
      zip_code: '99999',
      format: 'rgb_light',
      last_attempt: {
        at: '2026-11-28T10:00:00.000Z',
        stage: 'fetch-jobs',
        error_type: 'UnknownZipError',
        reason: 'unknown ZIP code',
        attempts: 1,
      },
      serving_older_image: false,
    });
    // Never tried: still the plain "waiting" answer.
    expect(await (await send('/99998/rgb_light.png')).json()).toEqual({ error: 'Image not found. Waiting for first generation.' });
  });

  it('with an older picture: serves it and says the failure in headers; a newer picture makes it history', async () => {
    await storePicture('78729', 'rgb_light', '2026-11-28T09:00:00.000Z');
    await recordZipFailure(
      images(),
      letter('78729', '2026-11-28T10:00:00.000Z', {
        reason: 'gave up after 4 attempts: open-meteo forecast: connection refused (GET http://127.0.0.1:9/v1/forecast)',
        error_type: 'WeatherApiError',
        attempts: 4,
      }),
    );
    const res = await send('/78729/rgb_light.png');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-generated-at')).toBe('2026-11-28T09:00:00.000Z');
    expect(res.headers.get('x-last-failure-at')).toBe('2026-11-28T10:00:00.000Z');
    expect(res.headers.get('x-last-failure-reason')).toBe('weather service unreachable or refusing');

    await storePicture('78729', 'rgb_light', '2026-11-28T10:15:00.000Z');
    const later = await send('/78729/rgb_light.png');
    expect(later.status).toBe(200);
    expect(later.headers.get('x-last-failure-at')).toBeNull();
  });

  it('a failed job of one format concerns only that format', async () => {
    await recordZipFailure(
      images(),
      letter(
        '78729',
        '2026-11-28T10:00:00.000Z',
        { queue: 'landscape-jobs', error_type: 'weather_missing', reason: 'no stored weather' },
        { format_name: 'bw' },
      ),
    );
    expect(await (await send('/78729/bw.bmp')).json<object>()).toMatchObject({ status: 'failed', format: 'bw' });
    expect(await (await send('/78729/rgb_light.png')).json()).toEqual({ error: 'Image not found. Waiting for first generation.' });
  });

  it('/forecasts shows a Failed badge with the reason in words, and whether an older picture is shown', async () => {
    await recordZipFailure(images(), letter('99999', '2026-11-28T10:00:00.000Z'));
    await storePicture('78729', 'rgb_light', '2026-11-28T09:00:00.000Z');
    await recordZipFailure(
      images(),
      letter('78729', '2026-11-28T10:00:00.000Z', { error_type: 'WeatherApiError', reason: 'open-meteo geocoding: DNS lookup failed' }),
    );
    await storePicture('10001', 'rgb_light', '2026-11-28T10:30:00.000Z');
    await recordZipFailure(images(), letter('10001', '2026-11-28T10:00:00.000Z'));
    const html = await (await send('/forecasts')).text();
    const card = (zip: string) => html.slice(html.indexOf(`id="zip-${zip}"`), html.indexOf('</li>', html.indexOf(`data-zip="${zip}"`) + 1));
    expect(card('99999')).toContain('class="badge failed"');
    expect(card('99999')).toContain('unknown ZIP code');
    expect(card('99999')).not.toContain('no US result from the geocoder');
    expect(card('99999')).toContain('No picture has been drawn for this ZIP code.');
    expect(card('78729')).toContain('class="badge failed"');
    expect(card('78729')).toContain('weather service unreachable or refusing');
    expect(card('78729')).not.toContain('DNS lookup failed');
    expect(card('78729')).toContain('Showing the last good picture until a run succeeds.');
    // Drawn after its failure: no badge.
    expect(card('10001')).not.toContain('badge failed');
  });
});

describe("the weather API's own words", () => {
  // What the fetcher records when the weather API fails: its request URL and its answer.
  const upstream = {
    error_type: 'WeatherApiError',
    attempts: 4,
    reason:
      'gave up after 4 attempts: open-meteo forecast: HTTP 500 (GET http://weather.internal:8080/v1/forecast?latitude=30.45): {"error":"<script>alert(1)</script> db shard 7 down"}',
  } as const;
  const secrets = ['weather.internal', '/v1/forecast', 'db shard 7', '<script>', 'gave up after', TRACE];

  it('are never shown to anonymous visitors: the image route (JSON and headers) and /forecasts say what failed in words', async () => {
    await recordZipFailure(images(), letter('99999', '2026-11-28T10:00:00.000Z', upstream));
    await storePicture('78729', 'rgb_light', '2026-11-28T09:00:00.000Z');
    await recordZipFailure(images(), letter('78729', '2026-11-28T10:00:00.000Z', upstream));
    const json = await (await send('/99999/rgb_light.png')).text();
    const served = await send('/78729/rgb_light.png');
    await served.arrayBuffer();
    const headers = JSON.stringify([...served.headers]);
    const html = await (await send('/forecasts')).text();
    expect(json).toContain('weather service unreachable or refusing');
    expect(headers).toContain('weather service unreachable or refusing');
    expect(html).toContain('weather service unreachable or refusing');
    for (const secret of secrets) {
      expect(json, secret).not.toContain(secret);
      expect(headers, secret).not.toContain(secret);
      expect(html, secret).not.toContain(secret);
    }
  });

  it('are shown to the admin: on the dashboard and in /admin/status', async () => {
    await setZipActive(env.CONFIG, '99999', true);
    await recordZipFailure(images(), letter('99999', new Date(Date.now() - 5 * 60_000).toISOString(), upstream));
    const html = await (await send('/admin', { headers: bearer() })).text();
    // Escaped like any text: the upstream's markup stays text.
    expect(html).toContain(
      '<p class="meta failure-reason" data-failure-reason="99999">gave up after 4 attempts: open-meteo forecast: HTTP 500 (GET http://weather.internal:8080/v1/forecast?latitude=30.45): {&quot;error&quot;:&quot;&lt;script&gt;alert(1)&lt;/script&gt; db shard 7 down&quot;}</p>',
    );
    const status = await (await send('/admin/status', { headers: bearer() })).json<{ zips: Array<{ zip: string; last_failure: unknown }> }>();
    expect(status.zips.find((z) => z.zip === '99999')!.last_failure).toMatchObject({
      stage: 'fetch-jobs',
      error_type: 'WeatherApiError',
      reason: upstream.reason,
      trace_id: TRACE,
      attempts: 4,
    });
  });
});

describe('the admin dashboard', () => {
  it("says a ZIP's last run failed, and links the dead letters", async () => {
    await setZipActive(env.CONFIG, '99999', true);
    await setZipActive(env.CONFIG, '78729', true);
    await recordZipFailure(images(), letter('99999', new Date(Date.now() - 5 * 60_000).toISOString()));
    const html = await (await send('/admin', { headers: bearer() })).text();
    expect(html).toMatch(
      /<p class="meta failure-line" data-failure="99999"><strong>Last run failed<\/strong> 5 min ago: unknown ZIP code · <a href="\/admin\/dead-letters">dead letters<\/a>/,
    );
    // Only the ZIP that failed says so.
    expect(html.match(/data-failure="\d+"/g)).toEqual(['data-failure="99999"']);
  });
});

describe('recording failures', () => {
  it('round trip: {zip}/failure.json holds the record as JSON, its fields in custom metadata for heads and lists', async () => {
    const long = `gave up after 4 attempts: open-meteo forecast: HTTP 503 Service Unavailable: ${'é'.repeat(3000)}`;
    await recordZipFailure(
      images(),
      letter('78729', '2026-11-28T10:00:00.000Z', { error_type: 'WeatherApiError', attempts: 4, reason: long }, { run_id: 'e'.repeat(32) }),
    );
    const object = await images().get(failureKey('78729'));
    expect(object!.httpMetadata?.contentType).toBe('application/json');
    expect(await object!.json()).toEqual({
      zip: '78729',
      at: '2026-11-28T10:00:00.000Z',
      stage: 'fetch-jobs',
      error_type: 'WeatherApiError',
      reason: long,
      attempts: 4,
      trace_id: TRACE,
      run_id: 'e'.repeat(32),
    });
    // The metadata keeps the reason's start (custom metadata is limited to 2,048 bytes).
    const head = await images().head(failureKey('78729'));
    expect(head!.customMetadata).toMatchObject({
      zip: '78729',
      at: '2026-11-28T10:00:00.000Z',
      stage: 'fetch-jobs',
      'error-type': 'WeatherApiError',
      attempts: '4',
      'trace-id': TRACE,
      'run-id': 'e'.repeat(32),
    });
    expect(head!.customMetadata!.reason).toMatch(/^gave up after 4 attempts: open-meteo forecast: HTTP 503 Service Unavailable: é+…$/);
    expect(await (await send('/78729/rgb_light.png')).json<object>()).toMatchObject({
      status: 'failed',
      last_attempt: { attempts: 4, error_type: 'WeatherApiError' },
    });
  });

  it('a failure older than 30 days is no longer shown', async () => {
    await recordZipFailure(images(), letter('99999', new Date(Date.now() - 31 * 24 * 3600_000).toISOString()));
    expect(await images().head(failureKey('99999'))).not.toBeNull();
    expect(await (await send('/99999/rgb_light.png')).json()).toEqual({ error: 'Image not found. Waiting for first generation.' });
    expect(await (await send('/forecasts')).text()).not.toContain('zip-99999');
  });

  it('a run whose image jobs fail one by one costs at most two R2 writes, and then concerns every format', async () => {
    const ops = new OpCounter();
    const counting = ops.wrap(images(), 'R2 WEATHER_IMAGES');
    const RUN = 'cccccccccccccccccccccccccccccccc';
    for (const [i, format] of ['bw', 'bwi', 'eink', 'rgb_dark'].entries()) {
      await recordZipFailure(
        counting,
        letter(
          '78729',
          `2026-11-28T10:00:0${i}.000Z`,
          { queue: 'landscape-jobs', error_type: 'weather_missing', reason: 'no stored weather' },
          { format_name: format, run_id: RUN },
        ),
      );
    }
    // One head before each format's record (the dedupe read), two puts.
    expect(ops.counts).toEqual({ 'R2 WEATHER_IMAGES head': 4, 'R2 WEATHER_IMAGES put': 2 });
    for (const path of ['/78729/bw.bmp', '/78729/eink.bmp', '/78729/rgb_light.png']) {
      expect(await (await send(path)).json(), path).toMatchObject({ status: 'failed', last_attempt: { stage: 'landscape-jobs' } });
    }
    // Another run's failure is written again.
    await recordZipFailure(counting, letter('78729', '2026-11-28T11:00:00.000Z', {}, { run_id: 'dddddddddddddddddddddddddddddddd' }));
    expect(ops.counts['R2 WEATHER_IMAGES put']).toBe(3);
  });

  it('the image route reads R2 only: the picture (get) and the failure record (head)', async () => {
    await storePicture('78729', 'rgb_light', '2026-11-28T09:00:00.000Z');
    await recordZipFailure(images(), letter('78729', '2026-11-28T10:00:00.000Z'));
    const ops = new OpCounter();
    const res = await send(
      '/78729/rgb_light.png',
      {},
      webEnv({ CONFIG: ops.wrap(env.CONFIG, 'KV CONFIG'), WEATHER_IMAGES: ops.wrap(images(), 'R2 WEATHER_IMAGES') }),
    );
    expect(res.headers.get('x-last-failure-at')).toBe('2026-11-28T10:00:00.000Z');
    await res.arrayBuffer();
    expect(ops.counts).toEqual({ 'R2 WEATHER_IMAGES get': 1, 'R2 WEATHER_IMAGES head': 1 });
  });
});

describe('image route formats', () => {
  it('an unknown format behind .bmp is a 404 JSON, never a PNG; behind .png it falls back to rgb_light', async () => {
    await storePicture('78729', 'rgb_light', '2026-11-28T09:00:00.000Z');
    for (const file of ['nonsense.bmp', 'rgb_light.bmp', 'RGB_DARK.BMP']) {
      const res = await send(`/78729/${file}`);
      expect(res.status, file).toBe(404);
      expect(res.headers.get('content-type'), file).toMatch(/^application\/json/);
      expect(await res.json(), file).toEqual({ error: 'Unknown BMP format. BMP formats: bw, bwi, eink.' });
    }
    const png = await send('/78729/nonsense.png');
    expect(png.status).toBe(200);
    expect(png.headers.get('x-format')).toBe('rgb_light');
    await png.arrayBuffer();
  });
});
