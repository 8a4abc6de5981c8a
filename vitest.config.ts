import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * Projects:
 * - node: pure modules (renderer, weather providers, tooling) in Node;
 * - one per worker, inside workerd (the vitest workers pool), with that worker's wrangler config,
 *   a real OTLP receiver and the Open-Meteo stub started by test/support/global-setup.ts;
 * - example: src/otel's minimal two-worker example (test/example) in a real `wrangler dev`;
 * - e2e: the real `npm start` stack (all four workers, local queues) against the stubs;
 * - browser: Debian's chromium (driven by playwright-core) against that same stack.
 */
/**
 * The dispatcher's own queue, fed by a test producer and consumed at once (the config's 30 s batch
 * timeout would stall a test): a batch the runtime itself delivers, with the queue invocation's
 * native span (test/workers/dispatcher/native-tracing.test.ts).
 */
const REAL_QUEUE_DELIVERY = {
  dispatcher: {
    queueProducers: { TEST_WEATHER_READY: { queueName: 'weather-ready' } },
    queueConsumers: { 'weather-ready': { maxBatchSize: 10, maxBatchTimeout: 1 } },
  },
};

function workerProject(name: 'web' | 'fetcher' | 'dispatcher' | 'generator'): TestProjectInlineConfiguration {
  const workerName = parse(readFileSync(`./wrangler.${name}.toml`, 'utf8')).name as string;
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        main: `./src/workers/${name}.ts`,
        wrangler: { configPath: `./wrangler.${name}.toml` },
        miniflare: {
          bindings: {
            ADMIN_TOKEN: 'test-admin-token-0123456789abcdef',
            OTEL_EXPORTER_OTLP_ENDPOINT: inject('otlpUrl'),
            OTEL_EXPORT_TIMEOUT_MS: '1000',
            OPEN_METEO_GEOCODING_URL: inject('weatherStubUrl'),
            OPEN_METEO_FORECAST_URL: inject('weatherStubUrl'),
            TEST_CONTROL_URL: inject('controlUrl'),
            DEPLOYMENT_ENVIRONMENT: 'test',
          },
          // Cloudflare's native tracing only traces an invocation that something consumes: a
          // streaming tail that records the attributes set on native spans (test/workers/native-tail.ts).
          streamingTails: ['native-tail'],
          // The worker itself as a service: its queue() and scheduled() are real invocations (with a
          // native span), which calling the handlers directly is not.
          serviceBindings: { NATIVE_TAIL: 'native-tail', WORKER_UNDER_TEST: workerName },
          workers: [{ name: 'native-tail', modules: true, compatibilityDate: '2026-11-17', scriptPath: './test/support/native-tail-worker.js' }],
          ...(name === 'dispatcher' ? REAL_QUEUE_DELIVERY.dispatcher : {}),
        },
      })),
    ],
    test: {
      name,
      include: [`test/workers/${name}/**/*.test.ts`],
      globalSetup: ['./test/support/global-setup.ts'],
    },
  };
}

export default defineConfig({
  test: {
    // A missing snapshot fails (as in CI) instead of being written from whatever this run produced;
    // `-u` (e.g. `npm run trace:update`) still writes it.
    update: 'none',
    projects: [
      {
        // src/otel's entry imports `cloudflare:workers` (itself and through otel-cf-workers): Node gets a stand-in.
        resolve: { alias: { 'cloudflare:workers': new URL('./test/support/cloudflare-workers-stub.ts', import.meta.url).pathname } },
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
          server: { deps: { inline: ['@microlabs/otel-cf-workers'] } },
        },
      },
      workerProject('web'),
      workerProject('fetcher'),
      workerProject('dispatcher'),
      workerProject('generator'),
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        // src/otel's minimal two-worker example (test/example), in a real `wrangler dev`.
        test: {
          name: 'example',
          include: ['test/example/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
