import { dirname } from 'node:path';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import type { Bundle } from './bundles';
import { track } from './cleanup';

/** The message shape Miniflare's `Fetcher.queue()` accepts (workers-types ServiceBindingQueueMessage). */
export interface QueueMessageInput {
  id: string;
  timestamp: Date;
  attempts: number;
  body: unknown;
}

export interface QueueResult {
  outcome: string;
  explicitAcks: string[];
  retryMessages: Array<{ msgId: string }>;
}

export interface QueueWorker {
  /** Delivers one batch, as the queue consumer runtime would; resolves when the invocation (and its waitUntil work) is done. */
  queue(queueName: string, messages: QueueMessageInput[]): Promise<QueueResult>;
  /** An HTTP request to the worker's fetch handler (resolves after its waitUntil work, like queue()). */
  fetch(path: string, init?: RequestInit): Promise<{ status: number; body: string }>;
  /** One cron invocation. */
  scheduled(cron: string): Promise<{ outcome: string }>;
  kv(binding: string): Promise<KVNamespace>;
  r2(binding: string): Promise<R2Bucket>;
  /** The last log lines of the worker, for error messages. */
  recentLogs(): string[];
  dispose(): Promise<void>;
}

const KEPT_LOG_LINES = 40;

/**
 * Loads a bundled worker into its own Miniflare (one workerd process), with the bindings its
 * wrangler config declares: KV, R2, queue producers (no consumers: messages it sends stay in the
 * local broker), compatibility date and flags, and its vars plus `vars`.
 */
export async function startQueueWorker(bundle: Bundle, vars: Record<string, string>, options: { inspectorPort?: number } = {}): Promise<QueueWorker> {
  const { config } = bundle;
  const logs: string[] = [];
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name: config.name,
      modules: true,
      scriptPath: bundle.mainPath,
      // Module names are paths relative to this root; the bundle lives outside the cwd.
      modulesRoot: dirname(bundle.mainPath),
      compatibilityDate: config.compatibility_date,
      compatibilityFlags: config.compatibility_flags ?? [],
      kvNamespaces: (config.kv_namespaces ?? []).map((kv) => kv.binding),
      r2Buckets: (config.r2_buckets ?? []).map((r2) => r2.binding),
      queueProducers: Object.fromEntries((config.queues?.producers ?? []).map((p) => [p.binding, p.queue])),
      bindings: { ...(config.vars ?? {}), DEPLOYMENT_ENVIRONMENT: 'bench', ...vars },
      // DevTools protocol endpoint (bench/profile-batch.ts takes CPU profiles through it).
      ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
      // The workers log one JSON line per message: keep a few for diagnostics instead of flooding the table.
      handleStructuredLogs: ({ message }: { message: string }) => {
        logs.push(message);
        if (logs.length > KEPT_LOG_LINES) logs.shift();
      },
    }),
  );
  const release = track(`miniflare ${bundle.name}`, () => mf.dispose());
  try {
    const worker = await mf.getWorker();
    return {
      queue: (queueName, messages) => worker.queue(queueName, messages),
      fetch: async (path, init) => {
        const res = await worker.fetch(`http://bench.local${path}`, init as never);
        return { status: res.status, body: await res.text() };
      },
      scheduled: (cron) => worker.scheduled({ cron, scheduledTime: new Date() }),
      kv: (binding) => mf.getKVNamespace(binding) as unknown as Promise<KVNamespace>,
      r2: (binding) => mf.getR2Bucket(binding) as unknown as Promise<R2Bucket>,
      recentLogs: () => [...logs],
      dispose: release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}
