import { Hono } from 'hono';
import { z } from 'zod';
import { replayDeadLetter, replayDeadLetters, ReplayError } from '../pipeline/dead-letters';
import { QUEUES, type QueueName } from '../queue/queues';
import { DeadLetterId, listDeadLetters } from '../storage/dead-letter-store';
import { parseQuery } from './http-input';
import { answerWrongMethods } from './methods';
import { answeredWithRun } from './request-id';
import type { WebEnv } from './web-env';

/** Dead letters for the admin: list them, replay one. Mounted under the guarded admin API. */
export const dlqApi = new Hono<WebEnv>({ strict: true });

const ReplayQuery = z.object({ id: DeadLetterId });

/**
 * At most 100 a request: one `sendBatch` holds 100 messages, and each replay costs about five
 * subrequests of its own (the letter, the run record, its delete), within Workers Paid's limit.
 */
const ReplayAllQuery = z.object({
  queue: z.enum(Object.keys(QUEUES) as [QueueName, ...QueueName[]]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

dlqApi.get('/', async (c) => {
  const letters = await listDeadLetters(c.env.CONFIG);
  return c.json({ count: letters.length, dead_letters: letters });
});

dlqApi.post('/replay', async (c) => {
  const q = parseQuery(c, ReplayQuery);
  if (!q.ok) return q.response;
  try {
    const replayed = await replayDeadLetter(c.env, q.value.id, c.get('requestId'));
    answeredWithRun(c, replayed.run_id);
    return c.json({ success: true, ...replayed, id: q.value.id }, 202);
  } catch (error) {
    if (error instanceof ReplayError) return c.json({ error: error.message }, error.errorType === 'not_found' ? 404 : 422);
    throw error;
  }
});

/** Replays the oldest dead letters (of one queue, or all), each a new run and a trace of its own; `remaining` says whether to call again. */
dlqApi.post('/replay-all', async (c) => {
  const q = parseQuery(c, ReplayAllQuery);
  if (!q.ok) return q.response;
  const result = await replayDeadLetters(c.env, q.value, c.get('requestId'));
  return c.json({ success: result.failed.length === 0, ...result }, result.replayed.length > 0 ? 202 : result.failed.length > 0 ? 422 : 200);
});

answerWrongMethods(dlqApi);
