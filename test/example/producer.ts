/**
 * The producer of the minimal example: a fetch handler that sends one message to the `example-jobs`
 * queue. Nothing here traces by hand: instrumentWorker makes the request's SERVER span and the
 * `send example-jobs` PRODUCER span, and puts the trace context in the message body.
 */
import { instrumentWorker, type OtelEnv } from '../../src/otel';
import { EXAMPLE_TRACING } from './tracing';

interface Env extends OtelEnv {
  JOBS: Queue;
}

export default instrumentWorker<Env>(
  'example-producer',
  {
    async fetch(request, env) {
      if (new URL(request.url).pathname === '/healthz') return new Response('ok');
      const task = new URL(request.url).searchParams.get('task') ?? 'hello';
      await env.JOBS.send({ task });
      return Response.json({ sent: task }, { status: 202 });
    },
  },
  {
    ...EXAMPLE_TRACING,
    // The queue behind each producer binding, for span names (`send example-jobs`).
    queues: { JOBS: 'example-jobs' },
    // Requests may continue a caller's trace (this example has no untrusted callers).
    acceptTraceContext: () => true,
    // The readiness probe is not traced.
    traceRequest: (request) => new URL(request.url).pathname !== '/healthz',
  },
);
