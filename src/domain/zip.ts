import { z } from 'zod';

export const INVALID_ZIP_MESSAGE = 'Invalid ZIP code. Must be 5 digits.';

/** A US ZIP code: exactly five ASCII digits. */
export const ZipCode = z.string().regex(/^[0-9]{5}$/, INVALID_ZIP_MESSAGE);
export type ZipCode = z.infer<typeof ZipCode>;
