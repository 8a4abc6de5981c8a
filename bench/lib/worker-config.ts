import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { ROOT, type WorkerName } from './paths';

/** The parts of a wrangler.<worker>.toml the bench needs to rebuild the worker in Miniflare. */
export interface WorkerConfig {
  name: string;
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  kv_namespaces?: Array<{ binding: string; id?: string }>;
  r2_buckets?: Array<{ binding: string; bucket_name?: string }>;
  queues?: {
    producers?: Array<{ binding: string; queue: string }>;
    consumers?: Array<{ queue: string; max_batch_size?: number; max_batch_timeout?: number }>;
  };
  vars?: Record<string, string>;
  alias?: Record<string, string>;
  [key: string]: unknown;
}

/** The worker's wrangler config in the repository at `root` (this one, or a checkout of another commit: bench/ab.ts). */
export function tomlPath(worker: WorkerName, root = ROOT): string {
  return join(root, `wrangler.${worker}.toml`);
}

export function readWorkerConfig(worker: WorkerName, root = ROOT): WorkerConfig {
  const config = parse(readFileSync(tomlPath(worker, root), 'utf8')) as unknown as WorkerConfig;
  // A variant's config is written elsewhere (bundles.ts): `alias` paths are relative to the toml's folder.
  if (config.alias) config.alias = Object.fromEntries(Object.entries(config.alias).map(([name, to]) => [name, to.startsWith('.') ? join(root, to) : to]));
  return config;
}
