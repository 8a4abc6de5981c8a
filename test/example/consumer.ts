/**
 * The consumer of the minimal example: each message of `example-jobs` is processed in its own
 * `process example-jobs` CONSUMER span, a child of the producer's `send` span (same trace), with
 * the message's `task` as a context attribute on it and on every span and log line under it.
 */
import { inProcessSpan, instrumentWorker, type OtelEnv } from '../../src/otel';
import { EXAMPLE_TRACING } from './tracing';

export default instrumentWorker<OtelEnv>(
  'example-consumer',
  {
    async queue(batch) {
      for (const message of batch.messages) {
        await inProcessSpan(message, batch.queue, async () => {
          // The line carries the message's trace id and its task (logFields) without passing them.
          console.info('task done');
          message.ack();
          return 'ack';
        });
      }
    },
  },
  EXAMPLE_TRACING,
);
