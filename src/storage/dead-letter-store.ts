import { z } from 'zod';
import { DeadLetter } from '../messages/dead-letter';
import { QUEUES } from '../queue/queues';
import { listAllKeys } from './kv-list';

/**
 * Dead letters kept for the admin to list and replay: `dlq:{dead_lettered_at}:{queue}:{message_id}`,
 * so a listing comes out oldest first. Kept 30 days.
 */
const PREFIX = 'dlq:';
const TTL_SECONDS = 30 * 24 * 3600;

const ISO_TIME = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z`;
const QUEUE_NAMES = Object.keys(QUEUES).join('|');

/**
 * A dead letter's id as storeDeadLetter makes it: `dead_lettered_at` (Date.toISOString), one of the
 * pipeline's queues, and the runtime's message id (32 hex characters locally; any visible ASCII up
 * to the 200 characters a dead letter may hold). ASCII throughout, so an id that passes always makes
 * a key within KV's 512-byte limit: an id outside the format is a 400, never a failed KV call.
 */
export const DeadLetterId = z.string().regex(new RegExp(`^${ISO_TIME}:(${QUEUE_NAMES}):[\\x21-\\x7e]{1,200}$`), {
  message: `Not a dead-letter id: expected <ISO time>:<queue>:<message id> (queue one of ${Object.keys(QUEUES).join(', ')}), as GET /admin/dlq lists them.`,
});

export type StoredDeadLetter = DeadLetter & { id: string };

export async function storeDeadLetter(kv: KVNamespace, letter: DeadLetter): Promise<string> {
  const id = `${letter.dead_lettered_at}:${letter.queue}:${letter.message_id}`;
  await kv.put(`${PREFIX}${id}`, JSON.stringify(letter), { expirationTtl: TTL_SECONDS });
  return id;
}

export async function getDeadLetter(kv: KVNamespace, id: string): Promise<StoredDeadLetter | undefined> {
  const parsed = DeadLetter.safeParse(await kv.get(`${PREFIX}${id}`, 'json'));
  return parsed.success ? { ...parsed.data, id } : undefined;
}

/** The ids of the stored dead letters, oldest first; of one queue's only, when `queue` is given. */
export async function listDeadLetterIds(kv: KVNamespace, queue?: string): Promise<string[]> {
  const ids = (await listAllKeys(kv, PREFIX)).map((key) => key.slice(PREFIX.length));
  return queue === undefined ? ids : ids.filter((id) => id.slice(ISO_TIME_LENGTH + 1).startsWith(`${queue}:`));
}
const ISO_TIME_LENGTH = '2026-01-01T00:00:00.000Z'.length;

export async function listDeadLetters(kv: KVNamespace): Promise<StoredDeadLetter[]> {
  const keys = await listAllKeys(kv, PREFIX);
  const letters = await Promise.all(keys.map((key) => getDeadLetter(kv, key.slice(PREFIX.length))));
  return letters.filter((l): l is StoredDeadLetter => l !== undefined);
}

export async function deleteDeadLetter(kv: KVNamespace, id: string): Promise<void> {
  await kv.delete(`${PREFIX}${id}`);
}
