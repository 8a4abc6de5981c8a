/**
 * Runs the weather stub standalone for offline runs of the whole stack:
 *   npm run weather-stub -- --port 8790 [--owm-key KEY]
 * Prints the env vars that point the Workers at it; Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { startWeatherStub } from '../test/support/weather-stub';

const DEFAULT_PORT = 8790;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: String(DEFAULT_PORT) },
    'owm-key': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${JSON.stringify(values.port)}`);
  process.exit(2);
}

const owmKey = values['owm-key'];
const stub = await startWeatherStub({ port, ...(owmKey ? { owmApiKey: owmKey } : {}) }).catch((err: NodeJS.ErrnoException) => {
  const why = err.code === 'EADDRINUSE' ? `port ${port} is already in use (another stub running?); try --port 0` : err.message;
  console.error(`weather stub: cannot listen: ${why}`);
  process.exit(1);
});

console.log(`weather stub listening on ${stub.url}`);
console.log('');
console.log('Open-Meteo (default provider):');
console.log(`  export OPEN_METEO_GEOCODING_URL=${stub.url} OPEN_METEO_FORECAST_URL=${stub.url}`);
console.log('OpenWeatherMap (used when OWM_API_KEY is set):');
console.log(`  export OWM_API_URL=${stub.url} OWM_API_KEY=${owmKey ?? 'any-non-empty-key'}`);
console.log('');
console.log('Faults and recorded requests:');
console.log(`  curl -X POST ${stub.url}/__stub/fault -d '{"kind":"429","times":2,"retryAfterSeconds":3,"path":"forecast"}'`);
console.log(`  curl -X POST ${stub.url}/__stub/fault -d 'null'`);
console.log(`  curl ${stub.url}/__stub/requests`);

const stop = () => {
  void stub.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
