import type { Conditions, Forecast } from '../../../src/domain/forecast';
import { buildForecast } from '../../fixtures/forecasts';

/**
 * A plain test forecast on the equator at Greenwich (UTC zone): calm, clear, dry, with a gentle
 * temperature wave, so each test can switch on exactly the one feature it checks.
 * Hourly point i starts at 00:00Z + i h; `now` is half an hour after the first point.
 */
export const TEST_NOW = '2026-03-20T00:30:00.000Z';

export function plainForecast(weather: (hoursFromNow: number) => Partial<Conditions> = () => ({})): Forecast {
  return buildForecast({
    location: { lat: 0, lon: 0, timezone: 'UTC', utcOffsetSeconds: 0, zip: '00000', name: 'Null Island' },
    now: TEST_NOW,
    unit: 'C',
    weather: (h) => ({
      temperatureC: 12 + 3 * Math.sin(h / 4),
      pressureHpa: 1013,
      cloudCoverPct: 0,
      rainMmH: 0,
      snowMmH: 0,
      windSpeedMs: 0,
      windDirectionDeg: 0,
      ...weather(h),
    }),
  });
}

/** A deep copy with one hourly point changed. */
export function withHour(forecast: Forecast, index: number, change: Partial<Conditions>): Forecast {
  const copy = structuredClone(forecast);
  Object.assign(copy.hourly[index], change);
  return copy;
}

/** A deep copy with the same change applied to `current` and every hourly point (values exact, not rounded). */
export function withAllHours(forecast: Forecast, change: Partial<Conditions>): Forecast {
  const copy = structuredClone(forecast);
  Object.assign(copy.current, change);
  for (const point of copy.hourly) Object.assign(point, change);
  return copy;
}
