import type { Env } from '../env';
import { instrumentWorker, SERVICE_NAMES } from '../otel/instrument';
import { runScheduled } from '../pipeline/scheduled-runs';
import { createApp } from '../web/app';
import { isAdminRequest } from '../web/admin-auth';

const app = createApp();

export default instrumentWorker(
  SERVICE_NAMES.web,
  {
    fetch: (request, env, ctx) => app.fetch(request, env, ctx),
    scheduled: async (_controller, env) => {
      await runScheduled(env);
    },
  },
  // An incoming traceparent becomes the parent only for authenticated admin requests.
  { acceptTraceContext: (request, env) => isAdminRequest(request, env) },
);
