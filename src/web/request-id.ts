import type { Context, MiddlewareHandler } from 'hono';
import { RequestId } from '../domain/request-id';
import { withContextAttributes } from '../otel';
import { ATTR_REQUEST_ID } from '../tracing/run-attributes';
import type { WebEnv } from './web-env';

export const REQUEST_ID_HEADER = 'X-Request-ID';

export interface RequestIdVariables {
  /** The caller's `X-Request-ID`, when it sent a valid one (see RequestId). */
  requestId?: string;
  /** The run this request started (set by answeredWithRun). */
  runId?: string;
}

/**
 * `X-Request-ID`: a valid incoming one (RequestId: 1-128 printable ASCII characters) goes on the
 * request's SERVER span and into the context as a run word (so on every span under it, where the
 * log bridge can read it too); handlers hand it to the run they start (`c.get('requestId')`), whose
 * queue bodies carry it on. It is echoed on the response, whatever answers (a handler, notFound,
 * onError's 500). An invalid one is ignored: never reflected, never recorded.
 * Without a valid one, a request that started a run answers with the run id, which every span of
 * the run carries as `weather_landscape.run.id`; other requests get no `X-Request-ID`.
 */
export const requestId: MiddlewareHandler<WebEnv> = async (c, next) => {
  const incoming = RequestId.safeParse(c.req.header(REQUEST_ID_HEADER));
  const id = incoming.success ? incoming.data : undefined;
  c.set('requestId', id);
  await withContextAttributes(id === undefined ? {} : { [ATTR_REQUEST_ID]: id }, next);
  const answer = id ?? c.get('runId');
  if (answer) c.res.headers.set(REQUEST_ID_HEADER, answer);
};

/** Tells requestId() the run this request started: without a caller's id, it answers as `X-Request-ID`. */
export function answeredWithRun(c: Context<WebEnv>, runId: string | undefined): void {
  c.set('runId', runId);
}
