import { z } from 'zod';

/**
 * What a request id may be: 1 to 128 printable ASCII characters (0x20-0x7E). Nothing else is
 * copied into telemetry, a body or a response header (no control characters, so no CR/LF).
 */
export const REQUEST_ID_PATTERN = /^[\x20-\x7E]{1,128}$/;

/**
 * A caller's `X-Request-ID` and the `request_id` of the queue bodies that carry it: 1 to 128
 * printable ASCII characters, taken as they are (not trimmed: the runtime already strips the
 * whitespace around a header value). Anything else is ignored, never reflected or carried.
 */
export const RequestId = z.string().regex(REQUEST_ID_PATTERN);
export type RequestId = z.infer<typeof RequestId>;
