import { startOtlpReceiver, type OtlpReceiver } from '../../src/otel/testing';
import { startWeatherStub, type WeatherStub } from '../support/weather-stub';
import { startStack, type Stack, type StackOptions } from './stack';

export interface Testbed {
  weather: WeatherStub;
  receiver: OtlpReceiver;
  stack: Stack;
}

/**
 * The stand-ins for the outside world (the Open-Meteo stub and an OTLP receiver in place of
 * Jaeger) and the real `npm start` stack wired to them; `vars` adds or overrides stack variables.
 */
export async function startTestbed(vars: Record<string, string> = {}, options: StackOptions = {}): Promise<Testbed> {
  const weather = await startWeatherStub();
  const receiver = await startOtlpReceiver();
  try {
    const stack = await startStack(
      {
        OPEN_METEO_GEOCODING_URL: weather.url,
        OPEN_METEO_FORECAST_URL: weather.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        ...vars,
      },
      options,
    );
    return { weather, receiver, stack };
  } catch (error) {
    await closeTestbed({ weather, receiver });
    throw error;
  }
}

/** Stops whatever part of a testbed was started (safe in afterAll after a failed beforeAll). */
export async function closeTestbed(parts: Partial<Testbed>): Promise<void> {
  await parts.stack?.stop();
  await parts.receiver?.close();
  await parts.weather?.close();
}
