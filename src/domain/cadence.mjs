// How often the cron redraws every active ZIP: a deploy-time setting, CRON_CADENCE_MINUTES
// (scripts/deploy.sh attaches the matching trigger to the web worker and passes the value on as a
// var). Plain JS, so deploy, the web worker and the bench read the one rule.
//
// Why only 15, 30 or 60: each divides the hour, so `*/n` fires every n minutes (a step that does
// not, `*/45`, fires at :00 and :45, 45 then 15 minutes apart); and on the Free plan every run of
// every ZIP costs the same queue operations, the limit that binds first (bench/README.md, "Cost
// ledger"), so the cadence is the lever for how many ZIPs the Free plan holds. Under 15 minutes the
// Free plan holds fewer than 4 ZIPs; over an hour the picture, whose columns are hours, falls behind.

/** The cadences a deployment may choose, in minutes. */
export const CADENCES_MINUTES = Object.freeze([15, 30, 60]);
export const DEFAULT_CADENCE_MINUTES = 15;

/** The cadence a setting names (unset or empty: the default); a clear error for anything else. */
export function cadenceMinutes(value) {
  if (value === undefined || value === null || String(value).trim() === '') return DEFAULT_CADENCE_MINUTES;
  const minutes = Number(String(value).trim());
  if (!CADENCES_MINUTES.includes(minutes)) {
    throw new Error(`CRON_CADENCE_MINUTES must be one of ${CADENCES_MINUTES.join(', ')} (minutes), not ${JSON.stringify(String(value))}.`);
  }
  return minutes;
}

/** The cron expression of a cadence: `*\/15 * * * *`, `*\/30 * * * *`, `0 * * * *`. */
export function cronOfCadence(minutes) {
  const checked = cadenceMinutes(minutes);
  return checked === 60 ? '0 * * * *' : `*/${checked} * * * *`;
}

/** Cron runs a day at a cadence. */
export function runsPerDay(minutes) {
  return (24 * 60) / cadenceMinutes(minutes);
}
