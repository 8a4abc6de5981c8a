import { describe, expect, it } from 'vitest';
import { redactAttributes, redactString, redactUnknown } from '../../src/otel';

describe('redaction', () => {
  it('replaces API keys in URLs, keeping the rest of the URL', () => {
    expect(redactString('https://api.openweathermap.org/data/3.0/onecall?lat=1&appid=s3cret&units=metric')).toBe(
      'https://api.openweathermap.org/data/3.0/onecall?lat=1&appid=REDACTED&units=metric',
    );
    expect(redactString('GET /x?api_key=abc#frag')).toBe('GET /x?api_key=REDACTED#frag');
  });

  it('replaces bearer and basic credentials', () => {
    expect(redactString('Authorization: Bearer abc.def-ghi')).toBe('Authorization: Bearer REDACTED');
  });

  it('redacts secret-looking attribute keys and every string value', () => {
    expect(redactAttributes({ 'http.request.header.authorization': ['Bearer x'], 'url.full': 'https://h/?appid=k', 'http.status_code': 200 })).toEqual({
      'http.request.header.authorization': 'REDACTED',
      'url.full': 'https://h/?appid=REDACTED',
      'http.status_code': 200,
    });
  });

  it('redacts nested structured log fields', () => {
    expect(redactUnknown({ request: { url: 'https://h/?appid=k', headers: { authorization: 'x' } }, n: 1 })).toEqual({
      request: { url: 'https://h/?appid=REDACTED', headers: { authorization: 'REDACTED' } },
      n: 1,
    });
  });
});

describe('one redaction for telemetry and weather errors', () => {
  it('covers every credential parameter, with & or ; separators', () => {
    for (const name of ['appid', 'apikey', 'api_key', 'key', 'token', 'access_token', 'client_secret', 'password', 'sig', 'signature']) {
      expect(redactString(`https://h/p?a=1&${name}=s3cret&b=2`)).toBe(`https://h/p?a=1&${name}=REDACTED&b=2`);
      expect(redactString(`https://h/p;a=1;${name}=s3cret;b=2`)).toBe(`https://h/p;a=1;${name}=REDACTED;b=2`);
    }
    expect(redactString('authorization: bearer abc.def')).toBe('authorization: bearer REDACTED');
  });
});
