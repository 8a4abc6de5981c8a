/**
 * Local wall-clock arithmetic for the location's IANA zone, through Intl (available in Node and
 * workerd). If the runtime does not know the zone, the forecast's fixed `utcOffsetSeconds` is
 * used instead: right at `now`, at worst an hour off across a DST change inside the window.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** Cached: building a DateTimeFormat costs far more than using one. null = unknown zone. */
function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      formatter = null;
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isKnownTimeZone(timeZone: string): boolean {
  return formatterFor(timeZone) !== null;
}

/** A clock: the local offset from UTC (ms) in force at an instant. */
export type OffsetAt = (instantMs: number) => number;

export function offsetClock(timeZone: string, fallbackOffsetSeconds: number): OffsetAt {
  const formatter = formatterFor(timeZone);
  if (formatter === null) return () => fallbackOffsetSeconds * 1000;
  return (instantMs) => {
    const parts = formatter.formatToParts(instantMs);
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of parts) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
      }
    }
    const wallMs = Date.UTC(year, month - 1, day, hour, minute, second);
    // Seconds are dropped by the formatter's granularity; compare against the whole second.
    return wallMs - (instantMs - (((instantMs % 1000) + 1000) % 1000));
  };
}

/** The instant at which the local wall clock reads `wallMs` (wall time encoded as if UTC). */
function instantForWall(wallMs: number, offsetAt: OffsetAt): number {
  let instant = wallMs - offsetAt(wallMs);
  // A second pass settles the case where the first guess landed across a DST change.
  instant = wallMs - offsetAt(instant);
  return instant;
}

export interface LocalMarks {
  /** Instants of local noon inside the window, ascending. */
  noons: number[];
  /** Instants of local midnight inside the window, ascending. */
  midnights: number[];
}

/** Local noons and midnights within [startMs, endMs). */
export function localNoonsAndMidnights(timeZone: string, fallbackOffsetSeconds: number, startMs: number, endMs: number): LocalMarks {
  const clock = offsetClock(timeZone, fallbackOffsetSeconds);
  // Formatting is the costly part. With the same offset at both ends of the window (no DST change
  // inside, nearly always) that offset holds for every instant in the window, and an instant it
  // places inside the window is exact; instants outside are discarded anyway.
  const startOffset = clock(startMs);
  const offsetAt: OffsetAt = startOffset === clock(endMs) ? () => startOffset : clock;
  const startWall = startMs + offsetAt(startMs);
  const firstLocalDay = Math.floor(startWall / DAY_MS);
  const noons: number[] = [];
  const midnights: number[] = [];
  const spanDays = Math.ceil((endMs - startMs) / DAY_MS) + 1;
  for (let d = 0; d <= spanDays; d++) {
    const dayWall = (firstLocalDay + d) * DAY_MS;
    const midnight = instantForWall(dayWall, offsetAt);
    const noon = instantForWall(dayWall + DAY_MS / 2, offsetAt);
    if (midnight >= startMs && midnight < endMs) midnights.push(midnight);
    if (noon >= startMs && noon < endMs) noons.push(noon);
  }
  return { noons, midnights };
}
