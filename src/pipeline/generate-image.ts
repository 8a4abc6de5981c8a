import { imageKey, type FormatName } from '../domain/formats';
import type { Env } from '../env';
import type { LandscapeJob } from '../messages/schemas';
import { PermanentError } from '../queue/errors';
import { renderLandscapeTraced } from '../otel/render';
import { activeTraceId } from '../otel/spans';
import { storeImage } from '../storage/image-store';
import { recordRunEvent } from '../storage/run-log';
import { getForecast } from '../storage/weather-store';

/**
 * landscape-jobs → R2: draw the picture from `weather:{zip}` and store it with its metadata.
 * Weather that has expired from KV is a permanent failure for this job: a newer run will
 * fetch it again, and retrying cannot bring it back.
 */
export async function generateImage(env: Env, job: LandscapeJob): Promise<void> {
  const format = job.format_name as FormatName;
  const forecast = await getForecast(env.CONFIG, job.zip_code);
  if (!forecast) throw new PermanentError(`no stored weather for ZIP ${job.zip_code} (expired or never fetched)`, 'weather_missing');
  const image = renderLandscapeTraced(forecast, format);
  const traceId = activeTraceId();
  const result = await storeImage(env.WEATHER_IMAGES, env.CONFIG, {
    zip: job.zip_code,
    format,
    bytes: image.bytes,
    weatherFetchedAt: forecast.source.fetchedAt,
    lat: job.lat,
    lon: job.lon,
    traceId,
  });
  if (result.stored) {
    console.info('image stored', { zip: job.zip_code, format, bytes: image.bytes.byteLength });
    await recordRunEvent(env.CONFIG, job.run_id, { type: 'image_stored', format, bytes: image.bytes.byteLength, url: `/${imageKey(job.zip_code, format)}` });
  } else {
    console.info('image skipped: a newer one is stored', { zip: job.zip_code, format, existing_fetched_at: result.existing.weatherFetchedAt });
    await recordRunEvent(env.CONFIG, job.run_id, { type: 'image_skipped', format, reason: result.reason });
  }
}
