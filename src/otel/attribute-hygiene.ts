import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { isSecretKey, redactString, redactValue } from './redact';

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

/**
 * What otel-cf-workers copies from `request.cf` onto a request's span, under names of its own
 * (`net.colo`, `net.tls_cipher`, …). Deployed, Cloudflare's edge fills `request.cf`; locally the
 * runtime makes one up (`colo` DFW, an ASN, a TLS cipher on a plain-HTTP request), so these are
 * kept only on a request that came through the edge: one with a ray id (`cf-ray`, which otel-cf-
 * workers writes as `faas.invocation_id`; the local runtime sends none). Kept, under the
 * conventions' names: where it ran (`cloud.region`: the data center's code, Cloudflare's only
 * region), the HTTP version (`network.protocol.version` `2`, not `HTTP/2`) and the TLS version
 * (`tls.protocol.name`/`.version`). Dropped: the cipher (the conventions want IANA names,
 * Cloudflare gives OpenSSL's), the caller's country and ASN (about the visitor, not our code),
 * TCP RTT, request priority and accepted encodings (no home in the conventions).
 */
const FROM_CF: Record<string, (value: AttributeValue, out: Attributes) => void> = {
  'net.colo': (v, out) => {
    out['cloud.region'] = v;
  },
  'network.protocol.version': (v, out) => {
    const version = /^HTTP\/(\d(?:\.\d)?)$/i.exec(String(v))?.[1];
    if (version) out['network.protocol.version'] = version;
  },
  'net.tls_version': (v, out) => {
    const version = /^TLSv(\d(?:\.\d)?)$/.exec(String(v))?.[1];
    if (version) {
      out['tls.protocol.name'] = 'tls';
      out['tls.protocol.version'] = version;
    }
  },
  'net.tls_cipher': drop,
  'net.country': drop,
  'net.asn': drop,
  'net.tcp_rtt': drop,
  'net.request_priority': drop,
  'http.accepts': drop,
};

function drop(): void {}

/** The response's content type, which otel-cf-workers calls `http.mime_type`, under the conventions' name. */
const RENAME: Record<string, string> = { 'http.mime_type': 'http.response.header.content-type' };

export function cleanAttributes(attributes: Attributes): Attributes {
  return isClean(attributes) ? attributes : cleaned(attributes);
}

/**
 * Whether cleaning would change nothing, as for most spans our own instrumentation makes: then the
 * span's own attributes are exported and no copy is made (each export cleans every span's attributes).
 */
function isClean(attributes: Attributes): boolean {
  for (const key in attributes) {
    const value = attributes[key];
    if (!meaningful(value) || !isPlainKey(key)) return false;
    if (typeof value === 'string') {
      if (redactString(value) !== value) return false;
    } else if (Array.isArray(value) && value.some((v) => typeof v === 'string' && redactString(v) !== v)) return false;
  }
  return true;
}

/** Per key: no rule here names it and it names no secret, so a meaningful value goes out as it is unless it holds a credential. */
const plainKeys = new Map<string, boolean>();

function isPlainKey(key: string): boolean {
  let plain = plainKeys.get(key);
  if (plain === undefined) {
    plain = !(key in FROM_CF || key in NORMALIZE || key in RENAME || key === 'server.address' || isSecretKey(key));
    // Keys come from code, not input; the bound only guards against a key per value.
    if (plainKeys.size < 1_000) plainKeys.set(key, plain);
  }
  return plain;
}

function cleaned(attributes: Attributes): Attributes {
  const out: Attributes = {};
  // otel-cf-workers writes the URL's host with its port into server.address: split them.
  const address = attributes['server.address'];
  const hostPort = typeof address === 'string' ? /^([^:[\]]+):(\d+)$/.exec(address) : null;
  const viaEdge = attributes['faas.trigger'] === 'http' && meaningful(attributes['faas.invocation_id']);
  for (const key in attributes) {
    let value = attributes[key];
    if (!meaningful(value)) continue;
    const fromCf = FROM_CF[key];
    if (fromCf) {
      if (viaEdge) fromCf(value, out);
      continue;
    }
    const normalize = NORMALIZE[key];
    if (normalize) value = normalize(value);
    value = redactValue(key, value);
    if (!meaningful(value)) continue;
    const renamed = RENAME[key];
    if (renamed) out[renamed] = [String(value)];
    else out[key] = value;
  }
  if (hostPort) {
    out['server.address'] = hostPort[1];
    out['server.port'] ??= Number(hostPort[2]);
  }
  return out;
}
