import type { Env } from '../env';

/** The Hono environment of every web route: the worker's bindings. */
export type WebEnv = { Bindings: Env };
