import { startOtlpReceiver, type OtlpReceiver } from '../../src/otel/testing';
import { startWeatherStub } from '../../test/support/weather-stub';
import type { Bundler } from './bundles';
import { track } from './cleanup';
import { startLocalStack, type BenchStack } from './local-stack';

export interface StackSession {
  stack: BenchStack;
  receiver: OtlpReceiver;
  stop(): Promise<void>;
}

/**
 * The local stack (see local-stack.ts: `npm start`'s wrangler dev with the four workers, local
 * queues, KV and R2) with tracing ON, exporting to a local OTLP receiver, fetching weather from
 * the local stub: the cost figure's stack.
 */
export async function startStackSession(bundler: Bundler, tmpRoot: string): Promise<StackSession> {
  const weather = await startWeatherStub();
  const stopWeather = track('weather stub', () => weather.close());
  const receiver = await startOtlpReceiver();
  const stopReceiver = track('OTLP receiver (stack)', () => receiver.close());
  try {
    const stack = await startLocalStack(bundler, tmpRoot, {
      OPEN_METEO_GEOCODING_URL: weather.url,
      OPEN_METEO_FORECAST_URL: weather.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // The cost ledger counts queue operations per 64 KB from the send spans' body sizes (Opt-In).
      TRACE_MESSAGE_BODY_SIZE: 'true',
      // Only these vars reach the workers: an OTEL_SDK_DISABLED in the shell cannot switch tracing off here.
    });
    return {
      stack,
      receiver,
      stop: async () => {
        await stack.stop();
        await stopReceiver();
        await stopWeather();
      },
    };
  } catch (error) {
    await stopReceiver();
    await stopWeather();
    throw error;
  }
}
