import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeTestbed, startTestbed } from './testbed';
import { type OtlpReceiver, type ReceivedSpan } from '../../src/otel/testing';
import { assertNoConfigReload, crashLines, logsNamed, parseLogLines, queueTotals } from '../support/stack-logs';
import type { WeatherStub } from '../support/weather-stub';
import type { Stack } from './stack';

/**
 * Load through the real `npm start` stack: 50 generate requests at once for 50 ZIPs × 3 formats
 * = 150 images, with tracing on to a local receiver. Asserts that every image is there, every
 * trace complete, no message lost or retried, no span lost. The wall time is printed, never asserted.
 */
const ZIPS = Array.from({ length: 50 }, (_, i) => String(70000 + i));
const FORMATS = [
  { name: 'rgb_light', ext: 'png' },
  { name: 'rgb_dark', ext: 'png' },
  { name: 'bw', ext: 'bmp' },
];

let weather: WeatherStub;
let receiver: OtlpReceiver;
let stack: Stack;

beforeAll(async () => {
  ({ weather, receiver, stack } = await startTestbed());
});

// A second `npm start` anywhere in the checkout silently reconfigures this stack: say so, rather than fail obscurely.
afterEach(() => assertNoConfigReload(stack.lines));

afterAll(async () => {
  await closeTestbed({ stack, receiver, weather });
});

/** Runs `work` over `items`, at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

const count = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name).length;
/** R2 puts, told by their attributes (their names are the key's template, `put {zip}/bw.bmp`). */
const r2Puts = (spans: ReceivedSpan[]) =>
  spans.filter((s) => s.attributes['db.system.name'] === 'cloudflare_r2' && s.attributes['db.operation.name'] === 'put').length;

/** Spans whose parent is not in the trace (roots excepted): lost in export, or never ended. */
function orphans(spans: ReceivedSpan[]): ReceivedSpan[] {
  const ids = new Set(spans.map((s) => s.spanId));
  return spans.filter((s) => s.parentSpanId !== undefined && !ids.has(s.parentSpanId));
}

function complete(spans: ReceivedSpan[]): boolean {
  return (
    count(spans, 'process landscape-jobs') === 3 &&
    count(spans, 'process weather-ready') === 1 &&
    count(spans, 'process fetch-jobs') === 1 &&
    r2Puts(spans) === 3 &&
    orphans(spans).length === 0
  );
}

describe('load: 50 concurrent runs × 3 formats', () => {
  it('produces 150 images and 50 complete traces, loses no message and no span', async () => {
    // Every format of every ZIP at once: one KV key per (ZIP, format), so concurrent edits of one
    // ZIP's formats cannot lose each other (src/storage/format-config.ts).
    await pool(
      ZIPS.flatMap((zip) => FORMATS.slice(1).map((format) => ({ zip, format: format.name }))),
      8,
      async ({ zip, format }) => {
        const res = await stack.admin(`/admin/formats/add?zip=${zip}&format=${format}`);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      },
    );
    await pool(ZIPS, 8, async (zip) => {
      const res = await fetch(`${stack.baseUrl}/admin/formats?zip=${zip}`, { headers: { authorization: `Bearer ${stack.token}` } });
      expect((await res.json<{ formats: string[] }>()).formats.sort()).toEqual(FORMATS.map((f) => f.name).sort());
    });
    receiver.clear();
    const linesBefore = stack.lines.length;

    const started = performance.now();
    const traceIds = await Promise.all(
      ZIPS.map(async (zip) => {
        const res = await stack.admin(`/admin/generate?zip=${zip}`);
        expect(res.status).toBe(202);
        return (await res.json<{ trace_id: string }>()).trace_id;
      }),
    );
    expect(new Set(traceIds).size).toBe(50);

    // Every trace complete at the receiver (this is also what "done" means: the last hop exported).
    await receiver
      .waitForSpans((spans) => {
        const byTrace = new Map<string, ReceivedSpan[]>();
        for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
        return traceIds.every((id) => complete(byTrace.get(id) ?? []));
      }, 60_000)
      .catch(() => undefined); // on a timeout, the per-trace assertions below say what is missing
    const wallMs = performance.now() - started;

    // 150 images, each served.
    const images = await pool(
      ZIPS.flatMap((zip) => FORMATS.map((f) => `/${zip}/${f.name}.${f.ext}`)),
      10,
      async (path) => {
        const res = await fetch(`${stack.baseUrl}${path}`);
        await res.arrayBuffer();
        return { path, status: res.status };
      },
    );
    expect(images.filter((i) => i.status !== 200)).toEqual([]);
    expect(images).toHaveLength(150);

    // 50 complete traces, exactly: one fetch, one dispatch, three renders each; no span without its parent.
    for (const traceId of traceIds) {
      const spans = receiver.spansOfTrace(traceId);
      expect({
        traceId,
        fetch: count(spans, 'process fetch-jobs'),
        dispatch: count(spans, 'process weather-ready'),
        render: count(spans, 'process landscape-jobs'),
        orphans: orphans(spans).map((s) => s.name),
        roots: spans.filter((s) => !s.parentSpanId).map((s) => s.name),
      }).toEqual({ traceId, fetch: 1, dispatch: 1, render: 3, orphans: [], roots: ['POST /admin/generate'] });
      expect(spans.filter((s) => s.name === 'process landscape-jobs').every((s) => s.attributes['messaging.cloudflare_queues.outcome'] === 'ack')).toBe(true);
    }

    // No message lost: nothing retried or dead-lettered, every batch fully acked, the right totals.
    const lines = stack.lines.slice(linesBefore);
    expect(logsNamed(lines, 'queue message failed; retrying')).toEqual([]);
    expect(logsNamed(lines, 'queue message dead-lettered')).toEqual([]);
    expect(parseLogLines(lines).filter((l) => String(l.message).startsWith('span export to '))).toEqual([]);
    expect(crashLines(lines)).toEqual([]);
    const totals = queueTotals(lines);
    expect({
      'fetch-jobs': totals.get('fetch-jobs')?.acked,
      'weather-ready': totals.get('weather-ready')?.acked,
      'landscape-jobs': totals.get('landscape-jobs')?.acked,
      retried: [...totals.values()].reduce((n, t) => n + t.retried, 0),
    }).toEqual({ 'fetch-jobs': 50, 'weather-ready': 50, 'landscape-jobs': 150, retried: 0 });
    const dlq = await (await fetch(`${stack.baseUrl}/admin/dlq`, { headers: { authorization: `Bearer ${stack.token}` } })).json<{ count: number }>();
    expect(dlq.count).toBe(0);

    const batches = (name: string) => totals.get(name)?.batches;
    console.log(
      `load: 50 runs × 3 formats = 150 images in ${(wallMs / 1000).toFixed(1)} s wall time ` +
        `(generate → last span at the receiver; batches: fetch-jobs ${batches('fetch-jobs')}, weather-ready ${batches('weather-ready')}, ` +
        `landscape-jobs ${batches('landscape-jobs')}; ${receiver.posts.length} OTLP posts, ${receiver.spans.length} spans)`,
    );
  });
});
