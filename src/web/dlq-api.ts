import { Hono } from 'hono';
import { z } from 'zod';
import { replayDeadLetter, ReplayError } from '../pipeline/dead-letters';
import { DeadLetterId, listDeadLetters } from '../storage/dead-letter-store';
import { parseQuery } from './http-input';
import { answerWrongMethods } from './methods';
import { answeredWithRun } from './request-id';
import type { WebEnv } from './web-env';

/** Dead letters for the admin: list them, replay one. Mounted under the guarded admin API. */
export const dlqApi = new Hono<WebEnv>({ strict: true });

const ReplayQuery = z.object({ id: DeadLetterId });

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

answerWrongMethods(dlqApi);
