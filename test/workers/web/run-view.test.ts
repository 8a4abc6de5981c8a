import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { recordRunEvent } from '../../../src/storage/run-log';
import { bearer, clearKv, send } from './web-client';

/** The run view of a failed run: the stage that failed, with the reason; later stages not "waiting". */
const RUN = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const t = (s: number) => new Date(Date.UTC(2026, 10, 28, 10, 0, s));

beforeEach(() => clearKv(['run:']));

function stageOf(html: string, name: string): { state: string; detail: string } {
  const match = new RegExp(`<li data-stage="${name}" data-state="([a-z]+)">.*?<span class="detail">([^<]*)</span>`, 's').exec(html);
  if (!match) throw new Error(`no stage ${name}`);
  return { state: match[1], detail: match[2] };
}

describe('run view of a failed run', () => {
  it('names the failed stage and marks the later ones as not reached, in the page and the JSON', async () => {
    await recordRunEvent(env.CONFIG, RUN, { type: 'started', zip: '99999', trigger: 'admin' }, t(0));
    await recordRunEvent(env.CONFIG, RUN, {
      type: 'failed',
      stage: 'fetch-jobs',
      outcome: 'dead_letter',
      error_type: 'UnknownZipError',
      message: 'Unknown ZIP 99999: no US result from the geocoder',
      attempts: 1,
    }, t(1));
    const html = await (await send(`/admin/run/${RUN}`, { headers: bearer() })).text();
    expect(html).toContain('data-status="failed"');
    expect(stageOf(html, 'weather')).toEqual({ state: 'failed', detail: 'Failed: Unknown ZIP 99999: no US result from the geocoder' });
    expect(stageOf(html, 'dispatched')).toEqual({ state: 'skipped', detail: 'Not reached: the run failed while fetching the weather.' });
    expect(stageOf(html, 'images').state).toBe('skipped');
    expect(html).not.toContain('Waiting for the fetcher');

    const json = (await (await send(`/admin/runs/${RUN}`, { headers: bearer() })).json()) as Record<string, unknown>;
    expect(json).toMatchObject({ status: 'failed', failed_stage: 'weather', stages: { weather: ['failed', 'Failed: Unknown ZIP 99999: no US result from the geocoder'], dispatched: ['skipped', expect.any(String)] } });
  });

  it('a failed image job fails the images stage; the earlier stages stay done', async () => {
    await recordRunEvent(env.CONFIG, RUN, { type: 'started', zip: '78729', trigger: 'admin' }, t(0));
    await recordRunEvent(env.CONFIG, RUN, { type: 'weather_fetched', provider: 'open-meteo' }, t(1));
    await recordRunEvent(env.CONFIG, RUN, { type: 'jobs_dispatched', formats: ['rgb_light', 'bw'] }, t(2));
    await recordRunEvent(env.CONFIG, RUN, { type: 'image_stored', format: 'rgb_light', bytes: 900, url: '/78729/rgb_light.png' }, t(3));
    await recordRunEvent(env.CONFIG, RUN, { type: 'failed', stage: 'landscape-jobs', outcome: 'dead_letter', error_type: 'weather_missing', message: 'no stored weather', attempts: 1 }, t(4));
    const html = await (await send(`/admin/run/${RUN}`, { headers: bearer() })).text();
    expect(stageOf(html, 'weather').state).toBe('done');
    expect(stageOf(html, 'dispatched').state).toBe('done');
    expect(stageOf(html, 'images')).toEqual({ state: 'failed', detail: '1 of 2 images rendered. Failed: no stored weather' });
  });
});
