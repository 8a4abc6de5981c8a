/** The cadences a deployment may choose, in minutes. */
export const CADENCES_MINUTES: readonly number[];
export const DEFAULT_CADENCE_MINUTES: number;
/** The cadence a setting names (unset or empty: the default); throws a clear error for anything but 15, 30 or 60. */
export function cadenceMinutes(value: string | number | undefined | null): number;
/** The cron expression of a cadence: `*\/15 * * * *`, `*\/30 * * * *`, `0 * * * *`. */
export function cronOfCadence(minutes: string | number): string;
/** Cron runs a day at a cadence. */
export function runsPerDay(minutes: string | number): number;
