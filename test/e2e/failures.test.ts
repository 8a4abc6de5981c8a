import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelDifferences, readAsFirmware } from '../support/eink-firmware';
import type { OtlpReceiver } from '../../src/otel/testing';
import type { WeatherStub } from '../support/weather-stub';
import { readBmp } from '../node/render/bmp-reader';
import { waitFor, type Stack } from './stack';
import { closeTestbed, startTestbed } from './testbed';

/**
 * What devices and people are shown, from the real `npm start` stack: the eink.bmp a panel's
 * firmware reads, and a failed run told by the image route and /forecasts.
 */
let weather: WeatherStub;
let receiver: OtlpReceiver;
let stack: Stack;

beforeAll(async () => {
  ({ weather, receiver, stack } = await startTestbed());
});

afterAll(async () => {
  await closeTestbed({ stack, receiver, weather });
});

async function runTo(zip: string, status: 'done' | 'failed'): Promise<void> {
  const started = await stack.admin(`/admin/generate?zip=${zip}`);
  expect(started.status).toBe(202);
  const { run_url } = await started.json<{ run_url: string }>();
  await waitFor(
    `${zip}'s run to be ${status}`,
    async () => {
      const view = await (await stack.admin(run_url, { method: 'GET' })).json<{ status: string }>();
      return view.status === status ? true : undefined;
    },
    30_000,
  );
}

async function bytesOf(path: string): Promise<Uint8Array> {
  const res = await fetch(`${stack.baseUrl}${path}`);
  expect(res.status, path).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

describe('eink.bmp from the running stack', () => {
  it('read as the panel firmware reads it, is bw rotated 90° clockwise', async () => {
    for (const format of ['bw', 'eink']) expect((await stack.admin(`/admin/formats/add?zip=78729&format=${format}`)).status).toBe(200);
    await runTo('78729', 'done');
    const panel = readAsFirmware(await bytesOf('/78729/eink.bmp'));
    const bw = readBmp(await bytesOf('/78729/bw.bmp'));
    expect(panelDifferences(panel, bw)).toBe(0);
  });

  it('an unknown format behind .bmp is a 404, not a PNG', async () => {
    const res = await fetch(`${stack.baseUrl}/78729/sepia.bmp`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Unknown BMP format. BMP formats: bw, bwi, eink.' });
  });
});

describe('a run for an unknown ZIP', () => {
  it('the image route and /forecasts say that it failed, when, and why in words', async () => {
    // Before any run: "waiting".
    expect(await (await fetch(`${stack.baseUrl}/99999/rgb_light.png`)).json()).toEqual({ error: 'Image not found. Waiting for first generation.' });
    await runTo('99999', 'failed');

    const answer = await waitFor('the image route to tell the failure', async () => {
      const res = await fetch(`${stack.baseUrl}/99999/rgb_light.png`);
      const body = await res.json<{ status?: string }>();
      return body.status === 'failed' ? { status: res.status, body } : undefined;
    });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({
      error: 'No image: the last generation failed (unknown ZIP code).',
      status: 'failed',
      zip_code: '99999',
      format: 'rgb_light',
      // In words: the recorded reason (which may quote the weather API) is the admin's.
      last_attempt: { stage: 'fetch-jobs', error_type: 'UnknownZipError', reason: 'unknown ZIP code', attempts: 1 },
      serving_older_image: false,
    });
    const at = Date.parse((answer.body as { last_attempt: { at: string } }).last_attempt.at);
    expect(Date.now() - at).toBeLessThan(10 * 60_000);

    const html = await (await fetch(`${stack.baseUrl}/forecasts`)).text();
    const start = html.indexOf('id="zip-99999"');
    expect(start, 'a card for 99999 on /forecasts').toBeGreaterThan(0);
    const card = html.slice(start, html.indexOf('</li>', start));
    expect(card).toContain('<span class="badge failed" data-status="failed">Failed</span>');
    expect(card).toContain('unknown ZIP code');
    expect(card).not.toContain('no US result from the geocoder');
    expect(card).toContain('No picture has been drawn for this ZIP code.');
  });
});
