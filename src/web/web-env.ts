import type { Env } from '../env';
import type { RequestIdVariables } from './request-id';

/** The Hono environment of every web route: the worker's bindings, and what requestId() tells the handlers. */
export type WebEnv = { Bindings: Env; Variables: RequestIdVariables };
