import { z } from 'zod';
import { ZipCode } from '../domain/zip';
import { FORMAT_NAMES } from '../domain/formats';
import { Forecast } from '../domain/forecast';
import { RequestId } from '../domain/request-id';

/**
 * One zod schema per queue, versioned by `schema_version`. Producers build bodies of these
 * types; consumers validate them when a message enters. A new incompatible shape gets a new
 * version number and a consumer that accepts both during the rollout.
 */
const Instant = z.string().datetime({ offset: true });
const Latitude = z.number().min(-90).max(90);
const Longitude = z.number().min(-180).max(180);
/** Present when an admin started the run: the id of its run record (the trace id when tracing is on). */
const RunId = z
  .string()
  .regex(/^[0-9a-f]{32}$/)
  .optional();
/** What started the run: an admin click, the cron, or a dead-letter replay. */
const Trigger = z.enum(['admin', 'cron', 'replay']);
/** The `X-Request-ID` of the request that started the run, when its caller sent a valid one; carried like run_id. */
const RunRequestId = RequestId.optional();

export const FetchJob = z.object({
  schema_version: z.literal(1),
  zip_code: ZipCode,
  scheduled_at: Instant,
  trigger: Trigger,
  run_id: RunId,
  request_id: RunRequestId,
});
export type FetchJob = z.infer<typeof FetchJob>;

export const WeatherReady = z.object({
  schema_version: z.literal(1),
  zip_code: ZipCode,
  lat: Latitude,
  lon: Longitude,
  fetched_at: Instant,
  run_id: RunId,
  /** Carried along from the fetch job (optional: messages from before it was added lack it). */
  trigger: Trigger.optional(),
  request_id: RunRequestId,
  /**
   * The normalized forecast itself, so no worker stores it in KV. Optional: a body from before it
   * rode in the message lacks it, and the generator then reads the legacy `weather:{zip}` key.
   * Size, measured with the Open-Meteo stand-in (26 hours, place named): 4.6 KB of JSON, a whole
   * weather-ready body 4.9 KB, so one 64 KB billing unit per message, far from the 128 KB limit.
   */
  forecast: Forecast.optional(),
});
export type WeatherReady = z.infer<typeof WeatherReady>;

export const LandscapeJob = z.object({
  schema_version: z.literal(1),
  zip_code: ZipCode,
  format_name: z.enum(FORMAT_NAMES as [string, ...string[]]),
  lat: Latitude,
  lon: Longitude,
  /** When the weather this image is drawn from was fetched: an older run never overwrites a newer image. */
  fetched_at: Instant,
  enqueued_at: Instant,
  run_id: RunId,
  trigger: Trigger.optional(),
  request_id: RunRequestId,
  /** The forecast to draw (see WeatherReady.forecast); absent in older bodies: legacy `weather:{zip}`. */
  forecast: Forecast.optional(),
});
export type LandscapeJob = z.infer<typeof LandscapeJob>;
