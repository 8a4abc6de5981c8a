/** Text formatting shared by the pages. Times are UTC: the server does not know the reader's zone. */

export function clockUtc(iso: string | undefined): string {
  if (!iso || !Number.isFinite(Date.parse(iso))) return '';
  return `${new Date(iso).toISOString().slice(11, 19)} UTC`;
}

export function dateTimeUtc(iso: string): string {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : iso;
}

/** "just now", "4 min ago", "3 h ago", "2 days ago". */
export function ago(iso: string, nowMs = Date.now()): string {
  const minutes = Math.floor((nowMs - Date.parse(iso)) / 60_000);
  if (!Number.isFinite(minutes)) return 'at an unknown time';
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

export function bytes(n: number): string {
  return n < 1024 ? `${n} bytes` : `${(n / 1024).toFixed(1)} KB`;
}
