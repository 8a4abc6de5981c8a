import { describe, expect, it } from 'vitest';
import { classifyError, PermanentError } from '../../../src/queue/errors';
import { retryDelaySeconds } from '../../../src/queue/retry-policy';

describe('retry policy', () => {
  it('backs off exponentially with jitter between half and all of the ceiling', () => {
    expect(retryDelaySeconds(1, undefined, () => 0)).toBe(1);
    expect(retryDelaySeconds(1, undefined, () => 1)).toBe(2);
    expect(retryDelaySeconds(3, undefined, () => 1)).toBe(8);
    expect(retryDelaySeconds(3, undefined, () => 0)).toBe(4);
  });

  it('never waits less than Retry-After, and never more than 300 s', () => {
    expect(retryDelaySeconds(1, 40, () => 0)).toBe(40);
    expect(retryDelaySeconds(20, undefined, () => 1)).toBe(300);
    expect(retryDelaySeconds(1, 10_000, () => 1)).toBe(300);
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
