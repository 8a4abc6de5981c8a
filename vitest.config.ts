import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * Projects:
 * - node: pure modules (renderer, weather providers, tooling) in Node;
 * - one per worker, inside workerd (the vitest workers pool), with that worker's wrangler config,
 *   a real OTLP receiver and the Open-Meteo stub started by test/support/global-setup.ts;
 * - e2e: the real `npm start` stack (all four workers, local queues) against the stubs;
 * - browser: Debian's chromium (driven by playwright-core) against that same stack.
 */
function workerProject(name: 'web' | 'fetcher' | 'dispatcher' | 'generator'): TestProjectInlineConfiguration {
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
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
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
