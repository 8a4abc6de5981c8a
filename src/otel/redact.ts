import type { Attributes, AttributeValue } from '@opentelemetry/api';

/**
 * Secrets never leave a worker in telemetry: API keys in URLs (OpenWeatherMap's `appid`) and
 * credentials in headers are replaced before spans are exported and before log lines are written.
 */
export const REDACTED = 'REDACTED';

const SECRET_QUERY_PARAMS = /([?&](?:appid|api_key|apikey|key|token|access_token|client_secret|password|sig|signature)=)[^&#\s"']*/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const SECRET_ATTRIBUTE_KEY = /(authorization|cookie|api[-_.]?key|secret|password|token)/i;

export function redactString(value: string): string {
  // Most attribute values hold neither a query nor a credential: skip the regexes for them (hot path).
  const query = value.includes('=');
  const credential = value.includes('Bearer') || value.includes('Basic');
  if (!query && !credential) return value;
  const redacted = query ? value.replace(SECRET_QUERY_PARAMS, `$1${REDACTED}`) : value;
  return credential ? redacted.replace(BEARER, `$1 ${REDACTED}`) : redacted;
}

function redactValue(key: string, value: AttributeValue | undefined): AttributeValue | undefined {
  if (value === undefined) return value;
  if (SECRET_ATTRIBUTE_KEY.test(key) && !/\.(count|size|length|status)$/.test(key)) return REDACTED;
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
  if (typeof value === 'string') return key && SECRET_ATTRIBUTE_KEY.test(key) ? REDACTED : redactString(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactUnknown(v, key, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_ATTRIBUTE_KEY.test(k) && typeof v === 'string' ? REDACTED : redactUnknown(v, k, depth + 1);
  return out;
}
