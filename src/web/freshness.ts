import { cadenceMinutes, DEFAULT_CADENCE_MINUTES } from '../domain/cadence.mjs';

/**
 * Whether a ZIP's pictures are still being redrawn. The cron redraws every active ZIP once per
 * cadence (CRON_CADENCE_MINUTES: 15, 30 or 60, src/domain/cadence.mjs) and a run takes seconds, so
 * the newest picture of a working ZIP is never older than ~one cadence. Two cadences: one missed or
 * slow run is tolerated, two in a row (an outage, a failing weather API, a ZIP deactivated) turn
 * the badge to "Not updating".
 */
export const freshForMinutes = (cadence: number) => 2 * cadence;

export type Freshness = 'fresh' | 'stale';

export function freshness(newestGeneratedAt: string, nowMs = Date.now(), cadence = DEFAULT_CADENCE_MINUTES): Freshness {
  const age = nowMs - Date.parse(newestGeneratedAt);
  return Number.isFinite(age) && age < freshForMinutes(cadence) * 60_000 ? 'fresh' : 'stale';
}

/**
 * The cadence this deployment runs at (the var `scripts/deploy.sh` sets with the trigger). A value
 * deploy would have refused (set by hand in the dashboard) is logged and the default is used, so
 * the pages still render; the cron itself fires on whatever trigger is attached.
 */
export function deployedCadence(env: { CRON_CADENCE_MINUTES?: string }): number {
  try {
    return cadenceMinutes(env.CRON_CADENCE_MINUTES);
  } catch (error) {
    console.error('CRON_CADENCE_MINUTES is invalid; pages assume the default cadence', {
      action: 'error',
      error: String(error),
      default_minutes: DEFAULT_CADENCE_MINUTES,
    });
    return DEFAULT_CADENCE_MINUTES;
  }
}

export const FRESHNESS_LABEL: Record<Freshness, string> = { fresh: 'Up to date', stale: 'Not updating' };
