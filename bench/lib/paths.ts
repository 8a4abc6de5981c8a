import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/ is two levels down). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WORKERS = ['web', 'fetcher', 'dispatcher', 'generator'] as const;
export type WorkerName = (typeof WORKERS)[number];
