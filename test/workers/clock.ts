import { env } from 'cloudflare:test';

/**
 * Resolves once the clock reads later than `iso`, so a second write's timestamp must differ from the
 * first: a bounded poll on the clock itself, not a guess at how long to sleep. Inside workerd the
 * clock only moves on I/O, hence a KV read per turn.
 */
export async function clockPast(iso: string, maxTurns = 10_000): Promise<void> {
  const target = Date.parse(iso);
  if (Number.isNaN(target)) throw new Error(`clockPast: not a timestamp: ${iso}`);
  for (let turn = 0; turn < maxTurns; turn++) {
    if (Date.now() > target) return;
    await (env as { CONFIG: KVNamespace }).CONFIG.get('__clock__');
  }
  throw new Error(`the clock did not pass ${iso} after ${maxTurns} KV reads`);
}
