import { emptyCounts, queueUnits, type OperationCounts } from './ledger';

/**
 * What the bindings were asked to do, counted at the bindings themselves (under our tracing, which
 * wraps whatever env the runtime passes): the ground truth the ledger test compares the spans' ledger
 * with. Its price classes come from the pricing pages, written out here on purpose, NOT imported
 * from test/support/ledger.ts, so a wrong class there shows as a difference.
 */
export interface BindingTallies extends OperationCounts {
  /** Queue operations of the messages sent: ceil(bytes / 64 KB) × 3 each (write, read, delete). */
  queueOps: number;
  /** Binding methods called that have no price class here (e.g. R2 multipart): must stay empty. */
  unpriced: string[];
}

type Tally = keyof OperationCounts | 'queueSend' | 'queueSendBatch';

const KV: Record<string, Tally> = { get: 'kvReads', getWithMetadata: 'kvReads', put: 'kvWrites', delete: 'kvDeletes', list: 'kvLists' };
// https://developers.cloudflare.com/r2/pricing/: PutObject and ListObjects are Class A; GetObject and HeadObject Class B; DeleteObject free.
const R2: Record<string, Tally> = { put: 'r2ClassA', list: 'r2ClassA', get: 'r2ClassB', head: 'r2ClassB', delete: 'r2Free' };
const QUEUE: Record<string, Tally> = { send: 'queueSend', sendBatch: 'queueSendBatch' };

const utf8 = new TextEncoder();
const jsonBytes = (body: unknown) => utf8.encode(typeof body === 'string' ? body : JSON.stringify(body)).byteLength;

function counting<T extends object>(binding: T, name: string, table: Record<string, Tally>, tallies: BindingTallies): T {
  return new Proxy(binding, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const tally = typeof prop === 'string' ? table[prop] : undefined;
        if (tally === 'queueSend') {
          tallies.queueMessages += 1;
          tallies.queueOps += 3 * queueUnits(jsonBytes(args[0]));
        } else if (tally === 'queueSendBatch') {
          const messages = [...(args[0] as Iterable<{ body: unknown }>)];
          tallies.queueMessages += messages.length;
          for (const m of messages) tallies.queueOps += 3 * queueUnits(jsonBytes(m.body));
          args = [messages, ...args.slice(1)];
        } else if (tally) tallies[tally] += 1;
        else tallies.unpriced.push(`${name}.${String(prop)}`);
        return value.apply(target, args);
      };
    },
  });
}

/**
 * `env` with every KV namespace, R2 bucket and queue producer counted (other values as they are),
 * and send spans asked for each message's size (TRACE_MESSAGE_BODY_SIZE, off by default), which
 * the ledger needs to count queue operations per 64 KB.
 */
export function countingEnv<E extends object>(env: E): { env: E; tallies: BindingTallies } {
  const tallies: BindingTallies = { ...emptyCounts(), queueOps: 0, unpriced: [] };
  const wrapped: Record<string, unknown> = { ...(env as Record<string, unknown>), TRACE_MESSAGE_BODY_SIZE: 'true' };
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'object' || value === null) continue;
    if ('getWithMetadata' in value) wrapped[name] = counting(value, name, KV, tallies);
    else if ('createMultipartUpload' in value) wrapped[name] = counting(value, name, R2, tallies);
    else if ('sendBatch' in value) wrapped[name] = counting(value, name, QUEUE, tallies);
  }
  return { env: wrapped as E, tallies };
}
