/**
 * Keeps API keys out of logs: every error message that mentions a URL or an
 * upstream body goes through here first.
 */

/** Query parameters that carry credentials in the APIs we call (OWM `appid`, Open-Meteo `apikey`). */
const SECRET_PARAMS = ['appid', 'apikey', 'api_key', 'key', 'token', 'access_token'];

const SECRET_PARAM_PATTERN = new RegExp(`([?&;](?:${SECRET_PARAMS.join('|')})=)[^&#\\s"'<>]*`, 'gi');

export const REDACTED = 'REDACTED';

/** Replaces the value of every credential-like query parameter in `text` with `REDACTED`. */
export function redactUrl(text: string): string {
  return text.replace(SECRET_PARAM_PATTERN, `$1${REDACTED}`);
}

/** The credential values carried by `url`, so they can also be scrubbed where they appear bare. */
export function secretsIn(url: string): string[] {
  const query = url.split('?')[1]?.split('#')[0] ?? '';
  const secrets: string[] = [];
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = safeDecode(pair.slice(0, eq)).toLowerCase();
    const raw = pair.slice(eq + 1);
    if (!SECRET_PARAMS.includes(name) || raw === '') continue;
    secrets.push(raw);
    const decoded = safeDecode(raw);
    if (decoded !== raw) secrets.push(decoded);
  }
  return secrets;
}

/**
 * Redacts credential parameters and, in addition, any bare occurrence of the
 * given secret values (an upstream body could echo a key without `appid=`).
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = redactUrl(text);
  for (const secret of secrets) {
    // Very short values would redact ordinary words; real keys are long.
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
