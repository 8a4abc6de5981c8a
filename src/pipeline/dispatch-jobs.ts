import type { Env } from '../env';
import type { WeatherReady } from '../messages/schemas';
import { sendMessages } from '../queue/producer';
import { getFormats } from '../storage/format-config';
import { recordRunDispatched } from '../storage/run-log';

/**
 * weather-ready → landscape-jobs: one job per configured format, in one sendBatch, each carrying the
 * forecast. For a run a person started, the run record's one pipeline write: the weather's time and
 * provider (from this message) and the formats.
 */
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
      ...(event.request_id ? { request_id: event.request_id } : {}),
      ...(event.trigger ? { trigger: event.trigger } : {}),
      ...(event.forecast ? { forecast: event.forecast } : {}),
    })),
  );
  await recordRunDispatched(env.CONFIG, event.run_id, { weather_fetched_at: event.fetched_at, provider: event.forecast?.source.provider, formats }, now);
  console.info('landscape jobs dispatched', { action: 'dispatch_jobs', formats });
}
