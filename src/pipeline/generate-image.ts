import type { FormatName } from '../domain/formats';
import type { Env } from '../env';
import type { LandscapeJob } from '../messages/schemas';
import { PermanentError } from '../queue/errors';
import { SpanKind } from '@opentelemetry/api';
import type { Forecast } from '../domain/forecast';
import { activeTraceId, inLeafSpan, tracerFor } from '../otel';
import { renderLandscape } from '../render';
import { storeImage } from '../storage/image-store';
import { getLegacyForecast } from '../storage/weather-store';

/**
 * landscape-jobs → R2: draw the picture from the forecast the job carries and store it, everything
 * about it in the R2 object's metadata. No KV write: the run view reads each format's R2 head.
 * A job sent before forecasts rode in the messages lacks one; its weather is read from the legacy
 * `weather:{zip}` key, and weather expired from there is a permanent failure for this job (a newer
 * run will fetch it again; retrying cannot bring it back).
 */
export async function generateImage(env: Env, job: LandscapeJob): Promise<void> {
  const format = job.format_name as FormatName;
  const forecast = job.forecast ?? (await getLegacyForecast(env.CONFIG, job.zip_code));
  if (!forecast) throw new PermanentError(`no stored weather for ZIP ${job.zip_code} (expired or never fetched)`, 'weather_missing');
  const image = renderTraced(forecast, format);
  const result = await storeImage(env.WEATHER_IMAGES, {
    zip: job.zip_code,
    format,
    bytes: image.bytes,
    weatherFetchedAt: forecast.source.fetchedAt,
    lat: job.lat,
    lon: job.lon,
    traceId: activeTraceId() || undefined,
    runId: job.run_id,
    place: forecast.location.name,
  });
  if (result.stored) console.info('image stored', { action: 'generate_image', bytes: image.bytes.byteLength });
  else console.info('image skipped: a newer one is stored', { action: 'skip_image', existing_fetched_at: result.existing.weatherFetchedAt });
}

/**
 * The renderer, traced: an INTERNAL span `render {format}` (`render rgb_light`, `render eink`: the
 * five of a run told apart by name) with what was drawn. A leaf span: the renderer starts no spans
 * and writes no log lines. (Timed in Node by the bench: workerd's clock stands still during CPU work.)
 */
function renderTraced(forecast: Forecast, format: FormatName): ReturnType<typeof renderLandscape> {
  return inLeafSpan(tracerFor('render'), `render ${format}`, { kind: SpanKind.INTERNAL }, (span) => {
    const result = renderLandscape(forecast, format);
    span.setAttributes({
      'landscape.width': result.width,
      'landscape.height': result.height,
      'landscape.bytes': result.bytes.byteLength,
      'landscape.content_type': result.contentType,
    });
    return result;
  });
}
