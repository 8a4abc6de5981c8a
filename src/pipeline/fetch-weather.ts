import type { Env } from '../env';
import type { FetchJob } from '../messages/schemas';
import { annotateActiveSpan } from '../otel';
import { sendMessage } from '../queue/producer';
import { getCachedGeo, putCachedGeo, type CachedGeo } from '../storage/weather-store';
import { createWeatherProvider } from '../weather';

/** "Austin, Texas" from the geocode, for the pictures' pages (R2 metadata `place`). */
function placeOf(geo: CachedGeo): string | undefined {
  if (!geo.name) return undefined;
  return geo.admin1 ? `${geo.name}, ${geo.admin1}` : geo.name;
}

/**
 * fetch-jobs → weather-ready: geocode the ZIP (cached in `geo:{zip}`, the only KV write here, once
 * per 30 days), fetch and normalize the forecast, and send it on in the message itself: nothing of
 * the weather is stored. An unknown ZIP throws UnknownZipError, which the consumer dead-letters; API
 * failures are transient and retried. The run record learns provider and weather time from the
 * dispatcher, which reads them from this message.
 */
export async function fetchWeather(env: Env, job: FetchJob, now = new Date()): Promise<void> {
  const provider = createWeatherProvider(env);
  let geo = await getCachedGeo(env.CONFIG, job.zip_code);
  if (!geo) {
    geo = await provider.geocode(job.zip_code);
    await putCachedGeo(env.CONFIG, geo);
  }
  const fetched = await provider.forecast(geo, now);
  const place = placeOf(geo);
  const forecast = place ? { ...fetched, location: { ...fetched.location, name: place } } : fetched;
  annotateActiveSpan({
    'weather.provider': provider.name,
    'weather.hours': forecast.hourly.length,
  });
  console.info('weather fetched', { action: 'fetch_weather', provider: provider.name, lat: geo.lat, lon: geo.lon });
  await sendMessage(env, 'weather-ready', {
    schema_version: 1,
    zip_code: job.zip_code,
    lat: geo.lat,
    lon: geo.lon,
    fetched_at: forecast.source.fetchedAt,
    run_id: job.run_id,
    ...(job.request_id ? { request_id: job.request_id } : {}),
    trigger: job.trigger,
    forecast,
  });
}
