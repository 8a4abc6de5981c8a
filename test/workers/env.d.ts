import type { Env as WorkerEnv } from '../../src/env';

declare global {
  namespace Cloudflare {
    /** `env` from cloudflare:test: the worker's bindings plus the test-only control URL and native tail. */
    interface Env extends WorkerEnv {
      TEST_CONTROL_URL: string;
      /** The streaming tail worker that records native span attributes (test/support/native-tail-worker.js). */
      NATIVE_TAIL: Fetcher;
      /** The worker under test as a service binding (vitest.config.ts). */
      WORKER_UNDER_TEST: Fetcher;
      /** The dispatcher project only: a producer for its own queue, delivered by the runtime (vitest.config.ts). */
      TEST_WEATHER_READY: Queue;
    }
  }
}
