import { describe, expect, it } from 'vitest';
import { classifyError, PermanentError } from '../../../src/queue/errors';
import { MAX_BACKOFF_SECONDS, MAX_QUEUE_DELAY_SECONDS, retryDelaySeconds } from '../../../src/queue/retry-policy';

describe('retry policy', () => {
  it('backs off exponentially with equal jitter: between half and all of the 2 s × 2^(attempts-1) step, never 0 s', () => {
    expect(retryDelaySeconds(1, undefined, () => 0)).toBe(1);
    expect(retryDelaySeconds(1, undefined, () => 1)).toBe(2);
    expect(retryDelaySeconds(3, undefined, () => 0)).toBe(4);
    expect(retryDelaySeconds(3, undefined, () => 0.5)).toBe(6);
    expect(retryDelaySeconds(3, undefined, () => 1)).toBe(8);
  });

  it('caps its own backoff at 300 s', () => {
    expect(retryDelaySeconds(20, undefined, () => 1)).toBe(MAX_BACKOFF_SECONDS);
    expect(retryDelaySeconds(20, undefined, () => 0)).toBe(MAX_BACKOFF_SECONDS / 2);
  });

  it('never waits less than Retry-After, even past the backoff cap, up to the 12 h Queues accepts', () => {
    expect(retryDelaySeconds(1, 40, () => 0)).toBe(40);
    expect(retryDelaySeconds(1, 2.5, () => 0)).toBe(3);
    expect(retryDelaySeconds(1, 10_000, () => 1)).toBe(10_000);
    expect(retryDelaySeconds(1, 100_000, () => 1)).toBe(MAX_QUEUE_DELAY_SECONDS);
    expect(MAX_QUEUE_DELAY_SECONDS).toBe(12 * 60 * 60);
  });
});

describe('error classification', () => {
  it('treats PermanentError and errors marked transient=false as permanent', () => {
    expect(classifyError(new PermanentError('gone', 'weather_missing'))).toMatchObject({ permanent: true, errorType: 'weather_missing' });
    const unknownZip = Object.assign(new Error('Unknown ZIP'), { name: 'UnknownZipError', transient: false });
    expect(classifyError(unknownZip)).toMatchObject({ permanent: true, errorType: 'UnknownZipError' });
  });

  it('treats everything else as transient, keeping Retry-After', () => {
    const api = Object.assign(new Error('429'), { name: 'WeatherApiError', transient: true, retryAfterSeconds: 30 });
    expect(classifyError(api)).toEqual({ permanent: false, errorType: 'WeatherApiError', message: '429', retryAfterSeconds: 30 });
    expect(classifyError(new Error('x'))).toMatchObject({ permanent: false, errorType: '_OTHER' });
    expect(classifyError('a string')).toMatchObject({ permanent: false, message: 'a string' });
  });
});
