import { z } from 'zod';
import { REQUEST_ID_PATTERN } from '../otel/run-attributes';

/**
 * A caller's `X-Request-ID` and the `request_id` of the queue bodies that carry it: 1 to 128
 * printable ASCII characters, taken as they are (not trimmed: the runtime already strips the
 * whitespace around a header value). Anything else is ignored, never reflected or carried.
 */
export const RequestId = z.string().regex(REQUEST_ID_PATTERN);
export type RequestId = z.infer<typeof RequestId>;
