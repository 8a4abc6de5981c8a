import { z } from 'zod';
import { instrumentWorker, linkUntrustedParent } from '../otel';
import { recordDeadLetter } from '../pipeline/dead-letters';
import { runScheduled } from '../pipeline/scheduled-runs';
import { consumeBatch } from '../queue/consumer';
import { queueBindings } from '../queue/queues';
import { createApp } from '../web/app';
import { isAdminRequest } from '../web/admin-auth';
import { startsAdminRun } from '../web/run-sampling';
import { isTracedRequest } from '../web/traced-requests';
import { SERVICE_NAMES } from '../tracing/service-names';
import { WORKER_TRACING } from '../tracing/worker-tracing';

const app = createApp();
/** Anything may arrive on a dead-letter queue: it is recorded as it is. */
const AnyBody = z.unknown();

export default instrumentWorker(
  SERVICE_NAMES.web,
  {
    fetch: (request, env, ctx) => {
      linkUntrustedParent(request);
      return app.fetch(request, env, ctx);
    },
    scheduled: async (_controller, env) => {
      await runScheduled(env);
    },
    // The three dead-letter queues: each dead letter is kept for the admin to list and replay.
    queue: async (batch, env) => {
      const dlq = { name: batch.queue, schema: AnyBody, recordsFailures: true };
      await consumeBatch(batch, env, dlq, async (body, info) => {
        await recordDeadLetter(env, batch.queue, body, info);
      });
    },
  },
  {
    ...WORKER_TRACING,
    // An incoming traceparent becomes the parent only for authenticated admin requests.
    acceptTraceContext: (request, env) => isAdminRequest(request, env),
    // A run a person starts is always sampled.
    sampleAlways: startsAdminRun,
    // Probes, static files and the admin's own reads are not traced (traced-requests.ts).
    traceRequest: isTracedRequest,
    queues: queueBindings(),
  },
);
