import { describe, expect, it } from 'vitest';
import { UnknownZipError, WeatherApiError, WeatherError, WeatherResponseError, isTransientStatus } from '../../../src/weather/errors';
import { redactText, redactString as redactUrl, secretsIn } from '../../../src/otel';
import { parseRetryAfter } from '../../../src/weather/retry-after';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-19T05:40:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date as seconds from now, never negative', () => {
    expect(parseRetryAfter('Mon, 19 Jan 2026 05:41:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Mon, 19 Jan 2026 05:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent or malformed values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('redaction', () => {
  it('redacts credential query values and nothing else', () => {
    expect(redactUrl('https://a.b/geo?zip=78729,US&appid=abc123')).toBe('https://a.b/geo?zip=78729,US&appid=REDACTED');
    expect(redactUrl('https://a.b/x?apikey=s3cr3t&lat=1')).toBe('https://a.b/x?apikey=REDACTED&lat=1');
    expect(redactUrl('https://a.b/x?KEY=s3cr3t#frag')).toBe('https://a.b/x?KEY=REDACTED#frag');
    expect(redactUrl('https://a.b/x?monkey=1&key=2')).toBe('https://a.b/x?monkey=1&key=REDACTED');
  });

  it('also scrubs bare occurrences of the secrets a URL carries', () => {
    const url = 'https://a.b/x?appid=abc%2Bdef123';
    expect(secretsIn(url)).toEqual(['abc%2Bdef123', 'abc+def123']);
    expect(redactText('upstream said: bad key abc+def123', secretsIn(url))).toBe('upstream said: bad key REDACTED');
  });
});

describe('error classes', () => {
  it('say whether to retry', () => {
    expect(new UnknownZipError('00000')).toMatchObject({ transient: false, zip: '00000', name: 'UnknownZipError' });
    expect(new WeatherResponseError('x').transient).toBe(true);
    const api = new WeatherApiError('x', { kind: 'http', status: 503, transient: true, url: 'u', retryAfterSeconds: 3 });
    expect(api).toBeInstanceOf(WeatherError);
    expect(api).toMatchObject({ status: 503, transient: true, retryAfterSeconds: 3, name: 'WeatherApiError' });
  });

  it('classify statuses: 5xx, 408 and 429 transient, other 4xx permanent', () => {
    expect([500, 502, 503, 504, 408, 429].map(isTransientStatus)).toEqual([true, true, true, true, true, true]);
    expect([400, 401, 403, 404, 410, 422].map(isTransientStatus)).toEqual([false, false, false, false, false, false]);
  });
});
