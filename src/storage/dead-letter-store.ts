import { DeadLetter } from '../messages/dead-letter';
import { listAllKeys } from './kv-list';

/**
 * Dead letters kept for the admin to list and replay: `dlq:{dead_lettered_at}:{queue}:{message_id}`,
 * so a listing comes out oldest first. Kept 30 days.
 */
const PREFIX = 'dlq:';
const TTL_SECONDS = 30 * 24 * 3600;

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

export async function listDeadLetters(kv: KVNamespace): Promise<StoredDeadLetter[]> {
  const keys = await listAllKeys(kv, PREFIX);
  const letters = await Promise.all(keys.map((key) => getDeadLetter(kv, key.slice(PREFIX.length))));
  return letters.filter((l): l is StoredDeadLetter => l !== undefined);
}

export async function deleteDeadLetter(kv: KVNamespace, id: string): Promise<void> {
  await kv.delete(`${PREFIX}${id}`);
}
