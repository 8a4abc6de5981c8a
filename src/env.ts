import type { OtelEnv } from './otel';

/**
 * Bindings and variables of the four workers. Each worker's wrangler.*.toml declares the subset it
 * uses; the code that needs a binding asks for it through {@link requireBinding} so a missing one
 * fails with a clear message.
 */
/** The tracing variables (`OTEL_*`, `TRACE_*`, `DEPLOYMENT_ENVIRONMENT`, `SERVICE_VERSION`) are the library's, in OtelEnv. */
export interface Env extends OtelEnv {
  CONFIG: KVNamespace;
  WEATHER_IMAGES: R2Bucket;
  FETCH_JOBS: Queue;
  WEATHER_READY: Queue;
  LANDSCAPE_JOBS: Queue;
  /** This consumer's own dead-letter queue (`<queue>-dlq`), for messages it gives up on. */
  DEAD_LETTERS: Queue;

  /** Login attempts per client IP (web worker; `[[ratelimits]]` in wrangler.web.toml). */
  LOGIN_RATE_LIMIT?: RateLimit;

  ADMIN_TOKEN?: string;
  /** Cloudflare Access team domain (`https://<team>.cloudflareaccess.com`); with ACCESS_AUD, a valid Access JWT admits to /admin. */
  ACCESS_TEAM_DOMAIN?: string;
  /** The Access application's audience (AUD) tag. */
  ACCESS_AUD?: string;
  OPEN_METEO_GEOCODING_URL?: string;
  OPEN_METEO_FORECAST_URL?: string;
  OWM_API_KEY?: string;
  OWM_API_URL?: string;
  WEATHER_TIMEOUT_MS?: string;

  JAEGER_UI_URL?: string;
  /** How often the cron runs, in minutes: 15, 30 or 60 (src/domain/cadence.mjs); deploy sets it with the trigger. */
  CRON_CADENCE_MINUTES?: string;
}

export function requireBinding<K extends keyof Env>(env: Env, name: K): NonNullable<Env[K]> {
  const value = env[name];
  if (value === undefined || value === null) {
    throw new Error(`Binding ${String(name)} is not configured for this worker (check its wrangler.*.toml)`);
  }
  return value;
}
