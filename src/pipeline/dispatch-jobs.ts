import type { Env } from '../env';
import type { WeatherReady } from '../messages/schemas';
import { sendMessages } from '../queue/producer';
import { getFormats } from '../storage/format-config';
import { recordRunEvent } from '../storage/run-log';

/** weather-ready → landscape-jobs: one job per configured format, in one sendBatch. */
export async function dispatchJobs(env: Env, event: WeatherReady, now = new Date()): Promise<void> {
  const formats = await getFormats(env.CONFIG, event.zip_code);
  const enqueuedAt = now.toISOString();
  await sendMessages(
    env,
    'landscape-jobs',
    formats.map((format_name) => ({
      schema_version: 1 as const,
      zip_code: event.zip_code,
      format_name,
      lat: event.lat,
      lon: event.lon,
      fetched_at: event.fetched_at,
      enqueued_at: enqueuedAt,
      run_id: event.run_id,
      ...(event.trigger ? { trigger: event.trigger } : {}),
    })),
  );
  await recordRunEvent(env.CONFIG, event.run_id, { type: 'jobs_dispatched', formats });
  console.info('landscape jobs dispatched', { zip: event.zip_code, formats });
}
