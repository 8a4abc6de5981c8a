import { FORMATS, type FormatName } from '../../../src/domain/formats';

/** Where the golden image of one fixture and format lives (shared by the test and the updater). */
export const GOLDEN_DIR = new URL('../../golden/', import.meta.url);

export function goldenFile(fixture: string, format: FormatName): URL {
  return new URL(`${fixture}.${format}.${FORMATS[format].ext}`, GOLDEN_DIR);
}
