/**
 * Errors the pipeline uses to choose between retrying a message and
 * dead-lettering it: check `err instanceof WeatherError && !err.transient`.
 * Messages are safe to log: URLs and upstream bodies are redacted before they
 * get here (see redact.ts).
 */

export abstract class WeatherError extends Error {
  /** True when the same request may succeed later (retry); false when it never will (dead-letter). */
  abstract readonly transient: boolean;
}

/** The geocoder has no US place for this ZIP. Permanent: retrying gives the same answer. */
export class UnknownZipError extends WeatherError {
  override readonly name = 'UnknownZipError';
  readonly transient = false;

  constructor(
    readonly zip: string,
    detail = 'no US result from the geocoder',
  ) {
    super(`Unknown ZIP ${zip}: ${detail}`);
  }
}

/** How a request failed before a usable response arrived. */
export type WeatherApiFailure = 'http' | 'timeout' | 'network' | 'aborted' | 'invalid-url';

export interface WeatherApiErrorInit {
  kind: WeatherApiFailure;
  /** HTTP status; 0 when no response arrived (timeout, network error, abort). */
  status: number;
  transient: boolean;
  /** Redacted request URL. */
  url: string;
  retryAfterSeconds?: number;
}

/** The weather API could not be reached or answered with an error status. */
export class WeatherApiError extends WeatherError {
  override readonly name = 'WeatherApiError';
  readonly kind: WeatherApiFailure;
  readonly status: number;
  readonly transient: boolean;
  readonly url: string;
  readonly retryAfterSeconds?: number;

  constructor(message: string, init: WeatherApiErrorInit) {
    super(message);
    this.kind = init.kind;
    this.status = init.status;
    this.transient = init.transient;
    this.url = init.url;
    if (init.retryAfterSeconds !== undefined) this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/**
 * The API answered 2xx but the body is not the JSON we expect (unparseable,
 * wrong shape, too large, or not covering `now`). Transient: for these public
 * APIs that is almost always a truncated/cached/edge-proxy glitch that clears
 * on retry; a persistent schema change still ends in the dead-letter queue
 * once the retries run out, and the message says why.
 */
export class WeatherResponseError extends WeatherError {
  override readonly name = 'WeatherResponseError';
  readonly transient = true;

  constructor(
    message: string,
    /** Redacted request URL, when the error is about one response. */
    readonly url?: string,
  ) {
    super(message);
  }
}

/** Whether the HTTP status can succeed on retry: 5xx, 408 and 429 yes; other 4xx no. */
export function isTransientStatus(status: number): boolean {
  if (status === 408 || status === 429) return true;
  return !(status >= 400 && status < 500);
}
