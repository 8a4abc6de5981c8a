import type { Env } from '../env';
import type { FetchJob } from '../messages/schemas';
import { annotateActiveSpan } from '../otel/spans';
import { sendMessage } from '../queue/producer';
import { recordRunEvent } from '../storage/run-log';
import { getCachedGeo, putCachedGeo, putForecast } from '../storage/weather-store';
import { createWeatherProvider } from '../weather';

/**
 * fetch-jobs → weather-ready: geocode the ZIP (cached in `geo:{zip}`), fetch and normalize the
 * forecast into `weather:{zip}`, then announce it. An unknown ZIP throws UnknownZipError, which
 * the consumer dead-letters; API failures are transient and retried.
 */
export async function fetchWeather(env: Env, job: FetchJob, now = new Date()): Promise<void> {
  const provider = createWeatherProvider(env);
  let geo = await getCachedGeo(env.CONFIG, job.zip_code);
  if (!geo) {
    geo = await provider.geocode(job.zip_code);
    await putCachedGeo(env.CONFIG, geo);
  }
  const forecast = await provider.forecast(geo, now);
  await putForecast(env.CONFIG, job.zip_code, forecast);
  annotateActiveSpan({
    'weather.provider': provider.name,
    'weather.hours': forecast.hourly.length,
  });
  await recordRunEvent(env.CONFIG, job.run_id, { type: 'weather_fetched', provider: provider.name });
  console.info('weather stored', { zip: job.zip_code, provider: provider.name, lat: geo.lat, lon: geo.lon, trigger: job.trigger });
  await sendMessage(env, 'weather-ready', {
    schema_version: 1,
    zip_code: job.zip_code,
    lat: geo.lat,
    lon: geo.lon,
    fetched_at: forecast.source.fetchedAt,
    run_id: job.run_id,
    trigger: job.trigger,
  });
}
