import type { Attributes, AttributeValue } from '@opentelemetry/api';

/**
 * The one place secrets are kept out of anything written: API keys in URLs (`appid`, `apikey`,
 * `token`…), credentials in headers, secret-named fields. Applied to every exported span and log
 * line; exported for the application's own text (e.g. error messages that quote upstream bodies).
 */
export const REDACTED = 'REDACTED';

/** Query parameters that carry credentials; `;` separates parameters in some URLs as `&` does. */
const SECRET_PARAMS = ['appid', 'apikey', 'api_key', 'key', 'token', 'access_token', 'client_secret', 'password', 'sig', 'signature'];
const SECRET_QUERY_PARAM = new RegExp(`([?&;](?:${SECRET_PARAMS.join('|')})=)[^&;#\\s"'<>]*`, 'gi');
const CREDENTIAL = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
/** What {@link SECRET_QUERY_PARAM} or {@link CREDENTIAL} needs to match (an `=`, or the scheme's name): a value without any holds neither. */
const MAY_HOLD_SECRET = /=|bearer|basic/i;
const SECRET_KEY = /(authorization|cookie|api[-_.]?key|secret|password|token)/i;
/** Keys that name a secret's size or status, not the secret. */
const SECRET_KEY_METADATA = /\.(count|size|length|status)$/;

/** Replaces credential query parameters and bearer/basic credentials in `value`. */
export function redactString(value: string): string {
  // Most values hold neither a query nor a credential: one scan finds that (hot path).
  if (!MAY_HOLD_SECRET.test(value)) return value;
  const query = value.includes('=');
  const credential = /bearer|basic/i.test(value);
  const redacted = query ? value.replace(SECRET_QUERY_PARAM, `$1${REDACTED}`) : value;
  return credential ? redacted.replace(CREDENTIAL, `$1 ${REDACTED}`) : redacted;
}

/** The credential values a URL carries, so they can also be scrubbed where they appear bare. */
export function secretsIn(url: string): string[] {
  const query = url.split('?')[1]?.split('#')[0] ?? '';
  const secrets: string[] = [];
  for (const pair of query.split(/[&;]/)) {
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
 * {@link redactString}, plus any bare occurrence of the given secret values (an upstream body can
 * echo a key without `appid=`).
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = redactString(text);
  for (const secret of secrets) {
    // Very short values would redact ordinary words; real keys are long.
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Keys are few (attribute and log field names) and asked about for every exported attribute: remember the answers. */
const secretKeys = new Map<string, boolean>();
const MAX_REMEMBERED_KEYS = 1_000;

export function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key) && !SECRET_KEY_METADATA.test(key);
    if (secretKeys.size < MAX_REMEMBERED_KEYS) secretKeys.set(key, secret);
  }
  return secret;
}

export function redactValue(key: string, value: AttributeValue | undefined): AttributeValue | undefined {
  if (value === undefined) return value;
  if (isSecretKey(key)) return REDACTED;
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? redactString(v) : v)) as AttributeValue;
  return value;
}

export function redactAttributes(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) out[key] = redactValue(key, value);
  return out;
}

/** Deep redaction for structured log fields. */
export function redactUnknown(value: unknown, key = '', depth = 0): unknown {
  if (typeof value === 'string') return key && isSecretKey(key) ? REDACTED : redactString(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactUnknown(v, key, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) && typeof v === 'string' ? REDACTED : redactUnknown(v, k, depth + 1);
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
