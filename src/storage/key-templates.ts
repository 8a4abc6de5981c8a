/**
 * The template of a KV or R2 key this application writes (`run:{id}`, `{zip}/bw.bmp`): what a
 * storage span is named after (`put run:{id}`), so an engineer tells siblings apart without opening
 * them, while the names stay few (the key itself, with its ZIP or run id, is the span's
 * `cloudflare.kv.key` / `cloudflare.r2.key`). Formats, queue names and suffixes are kept: a handful
 * of values each. A key of another shape gives undefined (the span is then named after its binding).
 * The keys are made in this folder: run-log.ts, zip-registry.ts, format-config.ts, weather-store.ts,
 * dead-letter-store.ts, image-store.ts, zip-status.ts, and ../web/session.ts.
 */
const TEMPLATES: ReadonlyArray<readonly [RegExp, (match: RegExpExecArray) => string]> = [
  // zip:{zip}, zip:{zip}:registered, geo:{zip}, weather:{zip}, formats:{zip}, formats:{zip}:{format}
  [/^(zip|geo|weather|formats):\d{5}(:[a-z_]+)?$/, (m) => `${m[1]}:{zip}${m[2] ?? ''}`],
  // run:{id}, run:{id}:dispatched, run:{id}:failed:{queue}, run:{id}:failed:landscape-jobs:{format}
  [/^run:[0-9a-f]{32}((?::[a-z_-]+)*)$/, (m) => `run:{id}${m[1]}`],
  // dlq:{ISO time}:{queue}:{message id}
  [/^dlq:.+$/, () => 'dlq:{id}'],
  [/^admin:session-revoked:.+$/, () => 'admin:session-revoked:{id}'],
  // {zip}/{format}.png|bmp, {zip}/failure.json
  [/^\d{5}\/([a-z_]+\.(?:png|bmp|json))$/, (m) => `{zip}/${m[1]}`],
  // Keys and list prefixes with nothing variable: admin:session-generation, zip:, formats:, dlq:
  [/^[a-z_-]+(?::[a-z_-]+)*:?$/, (m) => m[0]],
];

/** Runs for every traced storage call: one regex match per candidate, the template built from the match. */
export function storageKeyTemplate(key: string): string | undefined {
  for (const [pattern, template] of TEMPLATES) {
    const match = pattern.exec(key);
    if (match) return template(match);
  }
  return undefined;
}
