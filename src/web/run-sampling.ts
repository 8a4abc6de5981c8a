import type { Env } from '../env';
import { carriesAdminCredentials } from './admin-auth';

/** The routes where a person starts runs (admin-api.ts `/generate`, dlq-api.ts `/replay` and `/replay-all`, mounted under /admin). */
const RUN_STARTING_ROUTES = new Set(['POST /admin/generate', 'POST /admin/dlq/replay', 'POST /admin/dlq/replay-all']);

/**
 * Whether a request starts a run a person asked for, so its trace is sampled whatever
 * OTEL_TRACES_SAMPLER_ARG says (the ratio is for the cron's runs). Decided by the head sampler
 * before routing and authentication: credentials are looked for, not checked, so a refused call
 * to these routes is traced too (one short trace; the auth rate limit bounds the guesses).
 */
export function startsAdminRun(request: Request, env: Env): boolean {
  return RUN_STARTING_ROUTES.has(`${request.method} ${new URL(request.url).pathname}`) && carriesAdminCredentials(request, env);
}
