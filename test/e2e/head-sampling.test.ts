import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpReceiver } from '../../src/otel/testing';
import type { WeatherStub } from '../support/weather-stub';
import { waitFor, type Stack } from './stack';
import { closeTestbed, startTestbed } from './testbed';

/**
 * TRACE_KEEP_UNSAMPLED_FAILURES=false on the real `npm start` stack, at OTEL_TRACES_SAMPLER_ARG=0:
 * standard head sampling. A cron run for an unknown ZIP fails and is dead-lettered as always, but
 * no span of its trace arrives (with the error rule, the default, its failure and the dead-letter
 * record would: sampling.test.ts). An admin run, sampled whatever the ratio, still arrives.
 */
let weather: WeatherStub;
let receiver: OtlpReceiver;
let stack: Stack;

const UNKNOWN_ZIP = '00000';

beforeAll(async () => {
  ({ weather, receiver, stack } = await startTestbed({ OTEL_TRACES_SAMPLER_ARG: '0', TRACE_KEEP_UNSAMPLED_FAILURES: 'false' }));
});

afterAll(async () => {
  await closeTestbed({ stack, receiver, weather });
});

interface DeadLetter {
  trace_id: string;
  body: { zip_code?: string; trigger?: string };
}

async function deadLetters(): Promise<DeadLetter[]> {
  const res = await fetch(`${stack.baseUrl}/admin/dlq`, { headers: { authorization: `Bearer ${stack.token}` } });
  expect(res.status).toBe(200);
  return (await res.json<{ dead_letters: DeadLetter[] }>()).dead_letters;
}

describe('a failed unsampled run with the error rule off', () => {
  it('is dead-lettered as always, and exports no span; a sampled run afterwards arrives', async () => {
    expect((await stack.admin(`/admin/activate?zip=${UNKNOWN_ZIP}`)).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/__scheduled?cron=*/15+*+*+*+*`)).status).toBe(200);
    const letter = await waitFor(
      'the cron run’s dead letter',
      async () => (await deadLetters()).find((d) => d.body.zip_code === UNKNOWN_ZIP && d.body.trigger === 'cron'),
      30_000,
    );
    expect(letter.trace_id).toMatch(/^[0-9a-f]{32}$/);
    // A signal instead of a sleep: once an admin run started now (sampled whatever the ratio) has
    // gone through the web worker and the fetcher, their invocations of the cron run, which ended
    // before, have long finished whatever export they had.
    const res = await stack.admin('/admin/generate?zip=78729');
    expect(res.status).toBe(202);
    const sampled = await res.json<{ trace_id: string }>();
    await receiver.waitForSpans((spans) => spans.some((s) => s.traceId === sampled.trace_id && s.name === 'process landscape-jobs'), 30_000);
    expect(receiver.spansOfTrace(letter.trace_id)).toEqual([]);
    expect(receiver.spans.filter((s) => s.attributes['weather_landscape.sampling.kept_for_error'] !== undefined)).toEqual([]);
    expect(receiver.spansOfTrace(sampled.trace_id).find((s) => s.name === 'POST /admin/generate')).toBeDefined();
  });
});
