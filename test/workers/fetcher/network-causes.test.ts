import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WeatherApiError } from '../../../src/weather/errors';
import { getJson } from '../../../src/weather/http';

/**
 * What a weather request that never gets an answer says, inside workerd (where the runtime hides
 * the cause from the worker): the message names the cause, for the span, the dead letter and the run view.
 */
const Any = z.unknown();
const stubUrl = () => new URL(env.OPEN_METEO_FORECAST_URL as string);

async function failure(url: string): Promise<WeatherApiError> {
  const error = await getJson(url, Any, { label: 'open-meteo geocoding', timeoutMs: 5000 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeatherApiError);
  return error as WeatherApiError;
}

describe('weather request failures inside workerd name their cause', () => {
  it('a closed port: connection refused', async () => {
    // Port 1 on loopback: nothing listens there (tcpmux is never run on a test machine).
    const error = await failure('http://127.0.0.1:1/v1/search?name=78729');
    expect(error).toMatchObject({ kind: 'network', transient: true });
    expect(error.message).toMatch(/^open-meteo geocoding: connection refused or lost \(/);
  });

  it('an unresolvable host (.invalid never resolves, RFC 6761): DNS', async () => {
    const error = await failure('http://weather.invalid/v1/search?name=78729');
    expect(error.message).toMatch(/^open-meteo geocoding: DNS lookup failed \(/);
  });

  it('a failed TLS handshake (https to a plain-HTTP port): DNS or TLS, as workerd tells the two apart no further', async () => {
    const error = await failure(`https://${stubUrl().host}/v1/search?name=78729`);
    expect(error.message).toMatch(/^open-meteo geocoding: DNS lookup or TLS handshake failed \(/);
  });

  it('an HTTP error status: the status and what the API said', async () => {
    const error = await failure(`${stubUrl().origin}/v1/forecast?latitude=999&longitude=0`);
    expect(error).toMatchObject({ kind: 'http', status: 400 });
    expect(error.message).toMatch(/HTTP 400.*Latitude must be in range/);
  });
});
