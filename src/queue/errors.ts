/**
 * How the consumer decides a message's fate from the error its handler threw:
 * permanent → dead-letter now with the reason; anything else → retry with backoff.
 */
export class PermanentError extends Error {
  readonly permanent = true;
  constructor(
    message: string,
    readonly errorType = 'permanent',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export interface Classified {
  permanent: boolean;
  /** A short, low-cardinality type for `error.type`. */
  errorType: string;
  message: string;
  retryAfterSeconds?: number;
}

/** Errors from other modules signal their kind by shape (`permanent`, `transient`, `retryAfterSeconds`). */
export function classifyError(error: unknown): Classified {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    permanent?: unknown;
    transient?: unknown;
    retryAfterSeconds?: unknown;
    errorType?: unknown;
    name?: unknown;
    message?: unknown;
  };
  const permanent = e.permanent === true || e.transient === false;
  const errorType = typeof e.errorType === 'string' ? e.errorType : typeof e.name === 'string' && e.name !== 'Error' ? e.name : '_OTHER';
  const message = typeof e.message === 'string' ? e.message : String(error);
  const retryAfterSeconds = typeof e.retryAfterSeconds === 'number' ? e.retryAfterSeconds : undefined;
  return { permanent, errorType, message, retryAfterSeconds };
}
