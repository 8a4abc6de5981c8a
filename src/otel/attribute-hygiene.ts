import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { redactValue } from '../redact';

/**
 * otel-cf-workers fills some attributes from headers and `request.cf` whether or not they exist,
 * and in shapes the conventions do not use (`url.scheme` = `http:`, `url.query` = `?a=b`, sizes as
 * strings). An engineer reading a span should see only values that say something: this drops
 * empty, null and undefined values, normalizes those shapes, and redacts secrets, in one pass.
 */
const NORMALIZE: Record<string, (value: AttributeValue) => AttributeValue | undefined> = {
  'url.scheme': (v) => (typeof v === 'string' ? v.replace(/:$/, '') : v),
  'url.query': (v) => (typeof v === 'string' ? v.replace(/^\?/, '') : v),
  'http.request.body.size': toInteger,
  'http.response.body.size': toInteger,
};

function toInteger(value: AttributeValue): AttributeValue | undefined {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function meaningful(value: AttributeValue | undefined | null): value is AttributeValue {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

export function cleanAttributes(attributes: Attributes): Attributes {
  const out: Attributes = {};
  // otel-cf-workers writes the URL's host with its port into server.address: split them.
  const address = attributes['server.address'];
  const hostPort = typeof address === 'string' ? /^([^:\[\]]+):(\d+)$/.exec(address) : null;
  for (const key in attributes) {
    let value = attributes[key];
    if (!meaningful(value)) continue;
    const normalize = NORMALIZE[key];
    if (normalize) value = normalize(value);
    value = redactValue(key, value);
    if (meaningful(value)) out[key] = value;
  }
  if (hostPort) {
    out['server.address'] = hostPort[1];
    out['server.port'] ??= Number(hostPort[2]);
  }
  return out;
}
