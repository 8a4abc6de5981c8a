import { z } from 'zod';
import { WeatherApiError, WeatherResponseError, isTransientStatus } from './errors';
import { redactText, secretsIn } from '../otel';
import { parseRetryAfter } from './retry-after';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Real responses are a few kB; anything near this is a misrouted or broken answer. */
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
/** How much of an error body goes into the error message. */
const ERROR_SNIPPET_CHARS = 200;
/** Error bodies are read only for that snippet (and to release the connection). */
const ERROR_BODY_MAX_BYTES = 16 * 1024;

export interface GetJsonOptions {
  /** Aborts the request, including the body read, after this long. */
  timeoutMs?: number;
  /** The caller's own cancellation. */
  signal?: AbortSignal;
  /** Rejects bodies larger than this (by Content-Length, else by bytes read). */
  maxBytes?: number;
  /** Names the API in error messages, e.g. `open-meteo forecast`. */
  label?: string;
}

/** The options both providers pass to getJson: their label, their timeout, the caller's signal. */
export function requestOptions(label: string, timeoutMs: number, options: { signal?: AbortSignal } = {}): GetJsonOptions {
  return { label, timeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
}

/**
 * GETs `url` and returns its JSON body validated by `schema`. Every failure is
 * a WeatherApiError or WeatherResponseError with a redacted message.
 */
export async function getJson<T>(url: string, schema: z.ZodType<T>, options: GetJsonOptions = {}): Promise<T> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, maxBytes = DEFAULT_MAX_BYTES } = options;
  const secrets = secretsIn(url);
  const safeUrl = redactText(url, secrets);
  const label = options.label ? `${options.label}: ` : '';
  const fail = (what: string) => `${label}${what} (GET ${safeUrl})`;

  if (!isValidUrl(url)) {
    throw new WeatherApiError(fail('invalid URL'), { kind: 'invalid-url', status: 0, transient: false, url: safeUrl });
  }

  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;

  let text: string;
  try {
    // Looked up on every call: the OpenTelemetry instrumentation replaces the global fetch after this module loads.
    const response = await fetch(url, { method: 'GET', headers: { accept: 'application/json' }, signal });
    if (!response.ok) {
      const body = await readText(response, ERROR_BODY_MAX_BYTES).catch(() => ({ text: '', truncated: false }));
      const snippet = redactText(body.text.slice(0, ERROR_SNIPPET_CHARS), secrets).replace(/\s+/g, ' ').trim();
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
      const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      throw new WeatherApiError(fail(`${status}${snippet ? `: ${snippet}` : ''}`), {
        kind: 'http',
        status: response.status,
        transient: isTransientStatus(response.status),
        url: safeUrl,
        retryAfterSeconds,
      });
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new WeatherResponseError(fail(`response too large: Content-Length ${declared} > ${maxBytes} bytes`), safeUrl);
    }
    const body = await readText(response, maxBytes);
    if (body.truncated) {
      throw new WeatherResponseError(fail(`response too large: more than ${maxBytes} bytes`), safeUrl);
    }
    text = body.text;
  } catch (err) {
    if (err instanceof WeatherApiError || err instanceof WeatherResponseError) throw err;
    throw toTransportError(err, { timeout, caller: options.signal, timeoutMs, fail, safeUrl, secrets });
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const start = redactText(text.slice(0, 40), secrets);
    throw new WeatherResponseError(fail(`body is not JSON (starts with ${JSON.stringify(start)})`), safeUrl);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const why = redactText(z.prettifyError(parsed.error), secrets).slice(0, 500);
    throw new WeatherResponseError(fail(`unexpected JSON shape: ${why}`), safeUrl);
  }
  return parsed.data;
}

function isValidUrl(url: string): boolean {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

interface TransportContext {
  timeout: AbortSignal;
  caller?: AbortSignal;
  timeoutMs: number;
  fail: (what: string) => string;
  safeUrl: string;
  secrets: string[];
}

/** Maps what fetch or the body read threw to a transient WeatherApiError naming the cause. */
function toTransportError(err: unknown, ctx: TransportContext): WeatherApiError {
  const base = { status: 0, transient: true, url: ctx.safeUrl };
  if (ctx.timeout.aborted) {
    return new WeatherApiError(ctx.fail(`timed out after ${ctx.timeoutMs} ms`), { ...base, kind: 'timeout' });
  }
  if (ctx.caller?.aborted) {
    return new WeatherApiError(ctx.fail('aborted by caller'), { ...base, kind: 'aborted' });
  }
  const detail = describe(err, ctx.secrets);
  const cause = networkCause(detail, ctx.safeUrl.startsWith('https:'));
  return new WeatherApiError(ctx.fail(`${cause} (${detail})`), { ...base, kind: 'network' });
}

/**
 * The cause of a network failure in words, from what the runtime lets the code see:
 * - Node (undici) puts an errno code in `cause`: ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED, ...
 * - workerd hides most causes from the worker and prints them only on its console. Seen with
 *   workerd 2026-04 (miniflare 4.20260426), see test/workers/fetcher/network-causes.test.ts:
 *   a closed port throws "Network connection lost." (console: "connect(): Connection refused");
 *   an unresolvable host throws "internal error; reference = 34iibldtkcv5loat6vf5ahhs" (console:
 *   "DNS lookup failed"); https to a plain-HTTP port throws the same "internal error; reference = …"
 *   (console: "OpenSSL error … WRONG_VERSION_NUMBER"). So that message means DNS for http, and DNS
 *   or TLS for https: we say exactly that much.
 */
function networkCause(detail: string, https: boolean): string {
  if (/ECONNREFUSED|Connection refused|Network connection lost/i.test(detail)) return 'connection refused or lost';
  if (/ENOTFOUND|EAI_AGAIN|DNS lookup failed|getaddrinfo/i.test(detail)) return 'DNS lookup failed';
  if (/CERT|TLS|SSL|certificate|handshake/i.test(detail)) return 'TLS handshake failed';
  if (/internal error; reference = /.test(detail)) return https ? 'DNS lookup or TLS handshake failed' : 'DNS lookup failed';
  if (/ECONNRESET|socket hang up|other side closed/i.test(detail)) return 'connection reset';
  if (/ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|EHOSTUNREACH|ENETUNREACH/i.test(detail)) return 'host unreachable';
  return 'network error';
}

/** The message of an error and of its cause (undici puts ECONNREFUSED etc. there), redacted. */
function describe(err: unknown, secrets: string[]): string {
  if (!(err instanceof Error)) return redactText(String(err), secrets);
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  const parts = [err.message, cause?.message, code].filter((p): p is string => !!p);
  return redactText([...new Set(parts)].join(': '), secrets);
}

/** Reads the body as UTF-8, stopping once more than `maxBytes` arrived (so a huge body is never buffered). */
async function readText(response: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  // A body is bytes; workers-types leaves its chunks `any`.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let received = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { text, truncated: true };
    }
    text += decoder.decode(value, { stream: true });
  }
  return { text: text + decoder.decode(), truncated: false };
}

/**
 * Builds `${base}${path}?query` with values percent-encoded but commas kept
 * literal (both APIs document comma-separated lists). `base` may end in `/`.
 */
export function buildUrl(base: string, path: string, query: Record<string, string | number>): string {
  const params = Object.entries(query)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value)).replace(/%2C/gi, ',')}`)
    .join('&');
  return `${base.replace(/\/+$/, '')}${path}?${params}`;
}
