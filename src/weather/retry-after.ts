/**
 * Parses an HTTP `Retry-After` header (RFC 9110 §10.2.3): either a number of
 * seconds or an HTTP date. Returns whole seconds to wait (0 for a date in the
 * past) or `undefined` when the header is absent or malformed.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // Only a date-like value may go to Date.parse: it would also accept "-5" or "1.5".
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
