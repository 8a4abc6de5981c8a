/**
 * Whether a ZIP's pictures are still being redrawn. The cron redraws every active ZIP every
 * 15 minutes and a run takes seconds, so the newest picture of a working ZIP is never older than
 * ~15 minutes. 30 minutes is two cron periods: one missed or slow run is tolerated, two in a row
 * (an outage, a failing weather API, a ZIP deactivated) turn the badge to "Not updating".
 */
export const CRON_PERIOD_MINUTES = 15;
export const FRESH_FOR_MINUTES = 2 * CRON_PERIOD_MINUTES;

export type Freshness = 'fresh' | 'stale';

export function freshness(newestGeneratedAt: string, nowMs = Date.now()): Freshness {
  const age = nowMs - Date.parse(newestGeneratedAt);
  return Number.isFinite(age) && age < FRESH_FOR_MINUTES * 60_000 ? 'fresh' : 'stale';
}

export const FRESHNESS_LABEL: Record<Freshness, string> = { fresh: 'Up to date', stale: 'Not updating' };
