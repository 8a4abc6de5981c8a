import { resolve } from 'node:path';

/** The repository root (bench/lib/ is two levels down). */
export const ROOT = resolve(import.meta.dirname, '../..');
export const WORKERS = ['web', 'fetcher', 'dispatcher', 'generator'] as const;
export type WorkerName = (typeof WORKERS)[number];
