import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { recordRunDispatched, appendRunFailure, recordRunStarted } from '../../../src/storage/run-log';
import { bearer, clearKv, send } from './web-client';

/** The run view: stages from the run record, images from the R2 objects of the run's formats. */
const RUN = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const t = (s: number) => new Date(Date.UTC(2026, 10, 28, 10, 0, s));

beforeEach(async () => {
  await clearKv(['run:']);
  for (const object of (await env.WEATHER_IMAGES.list()).objects) await env.WEATHER_IMAGES.delete(object.key);
});

function stageOf(html: string, name: string): { state: string; detail: string } {
  const match = new RegExp(`<li data-stage="${name}" data-state="([a-z]+)">.*?<span class="detail">([^<]*)</span>`, 's').exec(html);
  if (!match) throw new Error(`no stage ${name}`);
  return { state: match[1], detail: match[2] };
}

/** An image as the generator stores it (its metadata in R2 custom metadata only). */
async function storedImage(key: string, weatherFetchedAt: string, runId?: string, size = 900) {
  await env.WEATHER_IMAGES.put(key, new Uint8Array(size), {
    customMetadata: {
      'generated-at': t(5).toISOString(),
      'weather-fetched-at': weatherFetchedAt,
      zip: key.slice(0, 5),
      lat: '30',
      lon: '-97',
      size: String(size),
      ...(runId ? { 'run-id': runId } : {}),
    },
  });
}

const runJson = async () =>
  await (await send(`/admin/runs/${RUN}`, { headers: bearer() })).json<Record<string, unknown> & { stages: Record<string, unknown> }>();

describe('run view of a failed run', () => {
  it('names the failed stage and marks the later ones as not reached, in the page and the JSON', async () => {
    await recordRunStarted(env.CONFIG, RUN, { zip: '99999', trigger: 'admin' }, t(0));
    await appendRunFailure(
      env.CONFIG,
      RUN,
      {
        stage: 'fetch-jobs',
        outcome: 'dead_letter',
        error_type: 'UnknownZipError',
        message: 'Unknown ZIP 99999: no US result from the geocoder',
        attempts: 1,
      },
      undefined,
      t(1),
    );
    const html = await (await send(`/admin/run/${RUN}`, { headers: bearer() })).text();
    expect(html).toContain('data-status="failed"');
    expect(stageOf(html, 'weather')).toEqual({ state: 'failed', detail: 'Failed: Unknown ZIP 99999: no US result from the geocoder' });
    expect(stageOf(html, 'dispatched')).toEqual({ state: 'skipped', detail: 'Not reached: the run failed while fetching the weather.' });
    expect(stageOf(html, 'images').state).toBe('skipped');
    expect(html).not.toContain('Waiting for the fetcher');

    expect(await runJson()).toMatchObject({
      status: 'failed',
      failed_stage: 'weather',
      stages: { weather: ['failed', 'Failed: Unknown ZIP 99999: no US result from the geocoder'], dispatched: ['skipped', expect.any(String)] },
    });
  });

  it('a failed image job fails the images stage; the earlier stages stay done; every attempt is listed', async () => {
    const weatherAt = t(1).toISOString();
    await recordRunStarted(env.CONFIG, RUN, { zip: '78729', trigger: 'admin' }, t(0));
    await recordRunDispatched(env.CONFIG, RUN, { weather_fetched_at: weatherAt, provider: 'open-meteo', formats: ['rgb_light', 'bw'] }, t(2));
    await storedImage('78729/rgb_light.png', weatherAt, RUN);
    await appendRunFailure(
      env.CONFIG,
      RUN,
      { stage: 'landscape-jobs', outcome: 'retry', error_type: 'R2Error', message: 'R2 is down', attempts: 1 },
      'bw',
      t(3),
    );
    await appendRunFailure(
      env.CONFIG,
      RUN,
      { stage: 'landscape-jobs', outcome: 'dead_letter', error_type: 'weather_missing', message: 'no stored weather', attempts: 2 },
      'bw',
      t(4),
    );
    const html = await (await send(`/admin/run/${RUN}`, { headers: bearer() })).text();
    expect(stageOf(html, 'weather').state).toBe('done');
    expect(stageOf(html, 'dispatched').state).toBe('done');
    expect(stageOf(html, 'images')).toEqual({ state: 'failed', detail: '1 of 2 images rendered. Failed: no stored weather' });
    expect((await runJson()).errors).toMatchObject([
      { message: 'R2 is down', attempts: 1 },
      { message: 'no stored weather', attempts: 2 },
    ]);
  });
});

describe("run view images, from the R2 objects of the run's formats", () => {
  it('shows each format stored by this run, skipped because newer weather is stored, or pending', async () => {
    const weatherAt = t(1).toISOString();
    await recordRunStarted(env.CONFIG, RUN, { zip: '78729', trigger: 'admin' }, t(0));
    await recordRunDispatched(
      env.CONFIG,
      RUN,
      { weather_fetched_at: weatherAt, provider: 'open-meteo', formats: ['rgb_light', 'bw', 'eink', 'rgb_dark'] },
      t(2),
    );
    await storedImage('78729/rgb_light.png', weatherAt, RUN, 1234); // stored by this run
    await storedImage('78729/bw.bmp', t(30).toISOString(), 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'); // a newer run's weather
    await storedImage('78729/eink.bmp', t(-600).toISOString()); // an older picture: this run's is still to come
    // rgb_dark: no object yet.
    const json = await runJson();
    expect(json).toMatchObject({
      status: 'rendering',
      provider: 'open-meteo',
      weather_fetched_at: weatherAt,
      images: [{ format: 'rgb_light', bytes: 1234, url: '/78729/rgb_light.png', at: t(5).toISOString() }],
      skipped: [{ format: 'bw', newer_weather_fetched_at: t(30).toISOString() }],
    });
    expect(json.stages.images).toEqual(['active', '2 of 4 images rendered (1 skipped: a newer image already exists)']);

    // The last two arrive: the run is done, live, without any record written by the generator.
    await storedImage('78729/eink.bmp', weatherAt, RUN);
    await storedImage('78729/rgb_dark.png', weatherAt, RUN);
    const done = await runJson();
    expect(done.status).toBe('done');
    expect(done.stages.images).toEqual(['done', '4 of 4 images rendered (1 skipped: a newer image already exists)']);
    const html = await (await send(`/admin/run/${RUN}`, { headers: bearer() })).text();
    expect(html).toContain('id="image-rgb_light"');
    expect(html).toContain('id="image-eink"');
    expect(html).not.toContain('id="image-bw"');
  });
});
