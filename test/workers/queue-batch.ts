import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import type { Env } from '../../src/env';

export interface TestMessage {
  body: unknown;
  attempts?: number;
  id?: string;
  /** When the message was sent (the runtime's `message.timestamp`); now by default. */
  timestamp?: Date;
}

/** Delivers a batch to a worker's queue handler the way the runtime does, and returns what it settled. */
export async function deliverBatch(worker: ExportedHandler<Env>, queue: string, messages: TestMessage[], env: Env) {
  const batch = createMessageBatch(
    queue,
    messages.map((m, i) => ({ id: m.id ?? `m${i}`, timestamp: m.timestamp ?? new Date(), attempts: m.attempts ?? 1, body: m.body })),
  );
  // The pool's getQueueResult does not report retry delays: record them on the messages themselves.
  const retryDelays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    Object.defineProperty(message, 'retry', {
      value: (options?: QueueRetryOptions) => {
        retryDelays.set(message.id, options?.delaySeconds);
        retry(options);
      },
    });
  }
  const ctx = createExecutionContext();
  await worker.queue!(batch, env, ctx);
  await waitOnExecutionContext(ctx);
  return { ...(await getQueueResult(batch, ctx)), retryDelays };
}
