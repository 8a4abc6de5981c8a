import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTestbed, startTestbed } from './testbed';
import type { WeatherStub } from '../support/weather-stub';
import type { OtlpReceiver } from '../../src/otel/testing';
import { decodeBmp1, decodePng } from '../support/image-decode';
import { waitFor, type Stack } from './stack';

/**
 * The real `npm start` stack (four workers, local queues, KV, R2) against the Open-Meteo stub,
 * with tracing switched off (OTEL_SDK_DISABLED=true): the pipeline must work the same, and the
 * receiver must never be called.
 */
let weather: WeatherStub;
let receiver: OtlpReceiver;
let stack: Stack;

beforeAll(async () => {
  ({ weather, receiver, stack } = await startTestbed({
    OTEL_SDK_DISABLED: 'true',
  }));
});

afterAll(async () => {
  await closeTestbed({ stack, receiver, weather });
});

async function imageOnceServed(path: string, timeoutMs = 5000): Promise<Uint8Array> {
  return waitFor(
    `${path} to be served`,
    async () => {
      const res = await fetch(`${stack.baseUrl}${path}`);
      return res.status === 200 ? new Uint8Array(await res.arrayBuffer()) : undefined;
    },
    timeoutMs,
  );
}

describe('npm start pipeline', () => {
  it('turns POST /admin/generate into a 296×128 PNG', async () => {
    const res = await stack.admin('/admin/generate?zip=78729');
    expect(res.status).toBe(202);
    // Tracing is off: no trace to point at.
    expect(await res.json()).toMatchObject({ success: true, zip: '78729', trace_id: null, jaeger_url: null });
    expect(res.headers.get('traceparent')).toBeNull();
    const png = decodePng(await imageOnceServed('/78729/rgb_light.png'));
    expect([png.width, png.height]).toEqual([296, 128]);
    const res2 = await fetch(`${stack.baseUrl}/78729/rgb_light.png`);
    expect(res2.headers.get('content-type')).toBe('image/png');
    expect(res2.headers.get('cache-control')).toBe('public, max-age=900');
    expect(res2.headers.get('x-zip-code')).toBe('78729');
    const etag = res2.headers.get('etag')!;
    expect((await fetch(`${stack.baseUrl}/78729/rgb_light.png`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('fans out to every configured format and serves each at /{zip}/{format}.{ext}', async () => {
    for (const format of ['rgb_dark', 'bw', 'bwi', 'eink']) {
      expect((await stack.admin(`/admin/formats/add?zip=99701&format=${format}`)).status).toBe(200);
    }
    const started = await stack.admin('/admin/generate?zip=99701');
    expect(started.status).toBe(202);
    const { run_id, run_url } = await started.json<{ run_id: string; run_url: string }>();
    expect(run_url).toBe(`/admin/runs/${run_id}`);
    const dark = decodePng(await imageOnceServed('/99701/rgb_dark.png'));
    expect([dark.width, dark.height]).toEqual([296, 128]);
    const bw = decodeBmp1(await imageOnceServed('/99701/bw.bmp'));
    const bwi = decodeBmp1(await imageOnceServed('/99701/bwi.bmp'));
    const eink = decodeBmp1(await imageOnceServed('/99701/eink.bmp'));
    expect([bw.width, bw.height, bwi.width, eink.width, eink.height]).toEqual([296, 128, 296, 128, 296]);
    const light = decodePng(await imageOnceServed('/99701/rgb_light.png'));
    expect(light.width).toBe(296);
    // The run record follows the run to the end, even with tracing off.
    const run = await waitFor('the run to be done', async () => {
      const view = await (
        await fetch(`${stack.baseUrl}${run_url}`, { headers: { authorization: `Bearer ${stack.token}` } })
      ).json<{
        status: string;
        formats: string[];
        images: Array<{ format: string; url: string }>;
      }>();
      return view.status === 'done' ? view : undefined;
    });
    expect(run.formats.sort()).toEqual(['bw', 'bwi', 'eink', 'rgb_dark', 'rgb_light']);
    expect(run.images.map((i) => i.url).sort()).toContain('/99701/eink.bmp');
    // The legacy query form and the fallback for an unknown format still work.
    expect((await fetch(`${stack.baseUrl}/99701?bw`)).headers.get('x-format')).toBe('bw');
    expect((await fetch(`${stack.baseUrl}/99701/sepia.png`)).headers.get('x-format')).toBe('rgb_light');
  });

  it('rejects an invalid ZIP with 400, and dead-letters an unknown one after one try', async () => {
    const bad = await stack.admin('/admin/generate?zip=7872');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'Invalid ZIP code. Must be 5 digits.' });
    expect((await stack.admin('/admin/generate?zip=00000')).status).toBe(202);
    const letter = await waitFor('the dead-letter log line', async () =>
      stack.logsWith('queue message dead-lettered').find((l) => String(l.reason).includes('00000')),
    );
    expect(letter).toMatchObject({ level: 'error', service: 'weather-fetcher', queue: 'fetch-jobs', error_type: 'UnknownZipError', attempts: 1 });
    // No retries: the consumer logs its decision for each message; this one was dead-lettered (and
    // acked) on its first delivery, and never marked for a retry, the only way it could come back.
    expect(stack.logsWith('queue message failed; retrying').filter((l) => l.message_id === letter.message_id)).toEqual([]);
    const asked = weather.requests.filter((r) => r.path === '/v1/search' && r.query.name === '00000');
    expect(asked).toHaveLength(1);
    // Through the real fetch-jobs-dlq, the web worker kept it for the admin, with the reason.
    const letters = await waitFor('the dead letter to be listed', async () => {
      const list = await (
        await fetch(`${stack.baseUrl}/admin/dlq`, { headers: { authorization: `Bearer ${stack.token}` } })
      ).json<{
        dead_letters: Array<{ id: string; queue: string; error_type: string; body: { zip_code: string } }>;
      }>();
      return list.dead_letters.length > 0 ? list.dead_letters : undefined;
    });
    expect(letters[0]).toMatchObject({ queue: 'fetch-jobs', error_type: 'UnknownZipError', body: { zip_code: '00000' } });
    const replay = await stack.admin(`/admin/dlq/replay?id=${encodeURIComponent(letters[0].id)}`);
    expect(replay.status).toBe(202);
    // The ZIP is still unknown: the replayed job is dead-lettered again, after one more geocoder call.
    await waitFor('the replayed job to reach the geocoder', async () =>
      weather.requests.filter((r) => r.path === '/v1/search' && r.query.name === '00000').length === 2 ? true : undefined,
    );
  });

  it('enqueues every active ZIP when the cron fires', async () => {
    await stack.admin('/admin/activate?zip=96813');
    await stack.admin('/admin/activate?zip=10001');
    const res = await fetch(`${stack.baseUrl}/__scheduled?cron=*/15+*+*+*+*`);
    expect(res.status).toBe(200);
    await imageOnceServed('/96813/rgb_light.png', 10_000);
    await imageOnceServed('/10001/rgb_light.png', 10_000);
    const cronLine = stack.logsWith('scheduled runs enqueued')[0];
    expect(cronLine).toMatchObject({ zips: 2, failed: 0 });
  });
});

describe('with OTEL_SDK_DISABLED=true', () => {
  it('exported nothing during the whole run of this file', () => {
    expect(receiver.posts).toEqual([]);
  });
});
