import { z } from 'zod';

/**
 * The renderer's input: a forecast independent of any weather provider.
 * Providers normalize into this; it is what the weather-ready and landscape-jobs messages carry.
 * SI units everywhere; `unit` only says how temperatures are printed.
 */
export const Conditions = z.object({
  temperatureC: z.number().finite(),
  pressureHpa: z.number().finite(),
  cloudCoverPct: z.number().min(0).max(100),
  rainMmH: z.number().min(0),
  snowMmH: z.number().min(0),
  windSpeedMs: z.number().min(0),
  windDirectionDeg: z.number().min(0).max(360),
});
export type Conditions = z.infer<typeof Conditions>;

export const HourlyPoint = Conditions.extend({
  /** Start of the hour, ISO 8601 instant in UTC (e.g. `2026-06-21T15:00:00.000Z`). */
  time: z.string().datetime({ offset: true }),
});
export type HourlyPoint = z.infer<typeof HourlyPoint>;

export const Location = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  /** IANA zone name, e.g. `America/Chicago`. */
  timezone: z.string().min(1),
  /** Offset from UTC at `now`, in seconds; used where the zone name is unknown to the runtime. */
  utcOffsetSeconds: z.number().int(),
  name: z.string().optional(),
  zip: z.string().optional(),
});
export type Location = z.infer<typeof Location>;

export const TemperatureUnit = z.enum(['F', 'C']);
export type TemperatureUnit = z.infer<typeof TemperatureUnit>;

export const Forecast = z.object({
  schemaVersion: z.literal(1),
  location: Location,
  /** The instant the picture's left edge stands for (ISO 8601). */
  now: z.string().datetime({ offset: true }),
  current: Conditions,
  /** Hourly points in time order, covering at least the 24 h after `now`. */
  hourly: z.array(HourlyPoint).min(25),
  unit: TemperatureUnit,
  /** Which provider produced it and when (informational). */
  source: z.object({ provider: z.string(), fetchedAt: z.string().datetime({ offset: true }) }),
});
export type Forecast = z.infer<typeof Forecast>;
