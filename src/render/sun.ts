import { getTimes } from 'suncalc';

const DAY_MS = 86_400_000;

export interface SunEvents {
  /** Sunrise instants (ms since epoch) inside the window, ascending. */
  sunrises: number[];
  /** Sunset instants inside the window, ascending. */
  sunsets: number[];
}

/** suncalc reports a missing event as null (v2) or an Invalid Date (v1): both mean "no event". */
function validMs(value: unknown): number | undefined {
  if (!(value instanceof Date)) return undefined;
  const ms = value.getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Sunrises and sunsets within [startMs, endMs).
 *
 * The original crashed when an event fell on the next UTC day (US evenings). Here every UTC
 * calendar day touched by the window, plus one day either side (an event of the solar day
 * "yesterday" or "tomorrow" can fall inside the window far from Greenwich, e.g. Samoa), is asked
 * for its events; each is kept only if its instant lies in the window. Polar day and night give no
 * event and are simply skipped.
 */
export function sunEvents(lat: number, lon: number, startMs: number, endMs: number): SunEvents {
  const sunrises: number[] = [];
  const sunsets: number[] = [];
  const firstDay = Math.floor(startMs / DAY_MS) - 1;
  const lastDay = Math.floor(endMs / DAY_MS) + 1;
  for (let day = firstDay; day <= lastDay; day++) {
    const times = getTimes(new Date(day * DAY_MS + DAY_MS / 2), lat, lon);
    addIfInside(sunrises, validMs(times.sunrise), startMs, endMs);
    addIfInside(sunsets, validMs(times.sunset), startMs, endMs);
  }
  return { sunrises: dedupe(sunrises), sunsets: dedupe(sunsets) };
}

function addIfInside(list: number[], ms: number | undefined, startMs: number, endMs: number): void {
  if (ms !== undefined && ms >= startMs && ms < endMs) list.push(ms);
}

/** Neighbouring days can report the same event (older suncalc anchoring): keep one per hour. */
function dedupe(list: number[]): number[] {
  list.sort((a, b) => a - b);
  return list.filter((ms, i) => i === 0 || ms - list[i - 1] > 3_600_000);
}
