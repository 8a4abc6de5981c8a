import type { Env as WorkerEnv } from '../../src/env';

declare global {
  namespace Cloudflare {
    /** `env` from cloudflare:test: the worker's bindings plus the test-only control URL. */
    interface Env extends WorkerEnv {
      TEST_CONTROL_URL: string;
    }
  }
}
