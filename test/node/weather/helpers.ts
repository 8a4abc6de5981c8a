import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startWeatherStub, type WeatherStub, type WeatherStubOptions } from '../../support/weather-stub';

/**
 * The instant every test treats as "now" (the stub's clock too). Chosen so the
 * 26 h from it hold rain in Austin (78729) and snow in Fairbanks (99701).
 */
export const NOW = new Date('2026-01-19T05:40:00Z');
/** Start of the hour containing NOW. */
export const NOW_HOUR = '2026-01-19T05:00:00.000Z';

/** The rejection of `promise`; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return err as Error;
  }
  expect.unreachable('expected the promise to reject');
}

export interface RawServer {
  url: string;
  close(): Promise<void>;
}

/** A throwaway HTTP server for responses the weather stub does not produce. */
export async function startRawServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<RawServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A local port with nothing listening on it (bound, then released). */
export async function closedPortUrl(): Promise<string> {
  const server = await startRawServer(() => undefined);
  await server.close();
  return server.url;
}

/**
 * One weather stub for the test file, on the shared clock (NOW), reset before each test.
 * Returns a getter: the stub exists only once beforeAll has run.
 */
export function useWeatherStub(options: WeatherStubOptions = {}): () => WeatherStub {
  let stub: WeatherStub | undefined;
  beforeAll(async () => {
    stub = await startWeatherStub({ now: () => NOW, ...options });
  });
  afterAll(() => stub?.close());
  beforeEach(() => {
    stub!.setFault(null);
    stub!.clearRequests();
  });
  return () => stub!;
}
