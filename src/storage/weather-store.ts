import { z } from 'zod';
import { Forecast } from '../domain/forecast';

/**
 * KV cache of geocodes (`geo:{zip}`, 30 days). The forecast itself travels in the queue messages;
 * `weather:{zip}` (20 minutes) is only read, for landscape jobs sent before that.
 */
const GEO_TTL_SECONDS = 30 * 24 * 3600;

export const CachedGeo = z.object({
  zip: z.string(),
  lat: z.number(),
  lon: z.number(),
  name: z.string().optional(),
  admin1: z.string().optional(),
  timezone: z.string().optional(),
});
export type CachedGeo = z.infer<typeof CachedGeo>;

export async function getCachedGeo(kv: KVNamespace, zip: string): Promise<CachedGeo | undefined> {
  const parsed = CachedGeo.safeParse(await kv.get(`geo:${zip}`, 'json'));
  return parsed.success ? parsed.data : undefined;
}

export async function putCachedGeo(kv: KVNamespace, geo: CachedGeo): Promise<void> {
  await kv.put(`geo:${geo.zip}`, JSON.stringify(geo), { expirationTtl: GEO_TTL_SECONDS });
}

/** The legacy stored forecast, or undefined when it expired or does not validate. */
export async function getLegacyForecast(kv: KVNamespace, zip: string): Promise<Forecast | undefined> {
  const parsed = Forecast.safeParse(await kv.get(`weather:${zip}`, 'json'));
  return parsed.success ? parsed.data : undefined;
}
