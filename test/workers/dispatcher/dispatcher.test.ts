import { env } from 'cloudflare:test';
import { propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import worker from '../../../src/workers/dispatcher';
import { recordingQueue } from '../recording-queue';
import { deliverBatch } from '../queue-batch';
import { expectSpanTree } from '../../../src/otel/testing';
import type { Env } from '../../../src/env';
import type { FormatName } from '../../../src/domain/formats';
import { addFormat } from '../../../src/storage/format-config';
import { FIXTURES } from '../../fixtures/forecasts';

/** Exactly these formats (plus rgb_light) for the ZIP, whatever an earlier test configured. */
async function configureFormats(zip: string, formats: FormatName[]): Promise<void> {
  for (const key of (await env.CONFIG.list({ prefix: `formats:${zip}` })).keys) await env.CONFIG.delete(key.name);
  for (const format of formats) await addFormat(env.CONFIG, zip, format);
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';

function weatherReady(zip: string, extra: Record<string, unknown> = {}) {
  return { schema_version: 1, zip_code: zip, lat: 30.45, lon: -97.79, fetched_at: '2026-06-21T12:00:00.000Z', ...extra };
}

async function runBatch(bodies: unknown[], attempts = 1) {
  const landscape = recordingQueue(env.LANDSCAPE_JOBS);
  const deadLetters = recordingQueue(env.DEAD_LETTERS);
  const testEnv = { ...env, LANDSCAPE_JOBS: landscape, DEAD_LETTERS: deadLetters } as unknown as Env;
  const result = await deliverBatch(
    worker,
    'weather-ready',
    bodies.map((body) => ({ body, attempts })),
    testEnv,
  );
  return { result, landscape, deadLetters };
}

describe('dispatcher', () => {
  beforeEach(() => memoryExporter.reset());

  it('sends one landscape job per configured format in a single sendBatch', async () => {
    await configureFormats('78729', ['bw', 'eink']);
    const { result, landscape } = await runBatch([weatherReady('78729', { _otel: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01` } })]);
    expect(result.explicitAcks).toEqual(['m0']);
    expect(landscape.batches).toBe(1);
    expect((landscape.sent as Array<{ format_name: string }>).map((b) => b.format_name).sort()).toEqual(['bw', 'eink', 'rgb_light']);
  });

  it('continues the producer trace: process span under the carrier, send span under it, carrier in every job', async () => {
    await configureFormats('78729', ['bw', 'eink']);
    const { landscape } = await runBatch([weatherReady('78729', { _otel: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01` } })]);
    const spans = memoryExporter.getFinishedSpans();
    expectSpanTree(
      spans,
      {
        name: 'process weather-ready',
        kind: 'CONSUMER',
        service: 'job-dispatcher',
        attributes: { 'messaging.destination.name': 'weather-ready', 'messaging.cloudflare_queues.outcome': 'ack' },
        children: [
          { name: 'list formats:{zip}', kind: 'CLIENT' },
          {
            name: 'send landscape-jobs',
            kind: 'PRODUCER',
            attributes: { 'messaging.operation.type': 'send', 'messaging.operation.name': 'send', 'messaging.batch.message_count': 3 },
          },
        ],
      },
      { root: 'any' },
    );
    const process = spans.find((s) => s.name === 'process weather-ready')!;
    const send = spans.find((s) => s.name === 'send landscape-jobs')!;
    expect(process.spanContext().traceId).toBe(TRACE_ID);
    expect(process.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(send.parentSpanContext?.spanId).toBe(process.spanContext().spanId);
    expect(send.attributes['messaging.batch.message_count']).toBe(3);
    expect(landscape.sent).toHaveLength(3);
    for (const body of landscape.sent as Array<{ _otel: { traceparent: string } }>) {
      const ctx = propagation.extract(ROOT_CONTEXT, body._otel);
      expect(trace.getSpanContext(ctx)?.spanId).toBe(send.spanContext().spanId);
      expect(trace.getSpanContext(ctx)?.traceFlags).toBe(TraceFlags.SAMPLED);
    }
  });

  it('carries the forecast into every job, and writes the run record once: weather time, provider, formats', async () => {
    await configureFormats('78730', ['bw', 'eink']);
    const runId = 'd15a7c4ed15a7c4ed15a7c4ed15a7c4e';
    const base = Object.values(FIXTURES)[0];
    const forecast = {
      ...base,
      location: { ...base.location, zip: '78730', name: 'Austin, Texas' },
      source: { provider: 'open-meteo', fetchedAt: '2026-06-21T12:00:00.000Z' },
    };
    const keys = async () => (await env.CONFIG.list()).keys.map((k) => k.name).sort();
    const before = await keys();
    const { result, landscape } = await runBatch([weatherReady('78730', { run_id: runId, trigger: 'admin', forecast })]);
    expect(result.explicitAcks).toEqual(['m0']);
    for (const job of landscape.sent as Array<{ forecast: unknown; run_id: string }>) expect([job.forecast, job.run_id]).toEqual([forecast, runId]);
    expect((await keys()).filter((k) => !before.includes(k))).toEqual([`run:${runId}:dispatched`]);
    expect(await env.CONFIG.get(`run:${runId}:dispatched`, 'json')).toMatchObject({
      weather_fetched_at: '2026-06-21T12:00:00.000Z',
      provider: 'open-meteo',
      formats: ['rgb_light', 'bw', 'eink'],
    });
    // A cron run has no run record: nothing written at all.
    const cronBefore = await keys();
    await runBatch([weatherReady('78730', { trigger: 'cron', forecast })]);
    expect(await keys()).toEqual(cronBefore);
  });

  it('dead-letters a body that fails validation, with the reason, and acks it', async () => {
    const { result, deadLetters, landscape } = await runBatch([{ schema_version: 1, zip_code: 'abc' }]);
    expect(result.explicitAcks).toEqual(['m0']);
    expect(result.retryMessages).toEqual([]);
    expect(landscape.sent).toHaveLength(0);
    const letter = deadLetters.sent[0] as { queue: string; reason: string; error_type: string; body: unknown };
    expect(letter.queue).toBe('weather-ready');
    expect(letter.error_type).toBe('invalid_message');
    expect(letter.reason).toMatch(/zip_code/);
    expect(letter.body).toEqual({ schema_version: 1, zip_code: 'abc' });
  });

  it('handles each message of a mixed batch on its own', async () => {
    await configureFormats('78729', ['bw']);
    const { result, deadLetters, landscape } = await runBatch([weatherReady('78729'), 'not an object', weatherReady('99701')]);
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1', 'm2']);
    expect(deadLetters.sent).toHaveLength(1);
    // 78729: rgb_light + bw in one sendBatch; 99701: rgb_light alone in one send.
    expect(landscape.batches).toBe(1);
    expect((landscape.sent as Array<{ zip_code: string }>).map((b) => b.zip_code).sort()).toEqual(['78729', '78729', '99701']);
  });
});
