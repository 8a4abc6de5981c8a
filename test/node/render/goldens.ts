import { join } from 'node:path';
import { FORMATS, type FormatName } from '../../../src/domain/formats';

/** Where the golden image of one fixture and format lives (shared by the test and the updater). */
export const GOLDEN_DIR = join(import.meta.dirname, '../../golden');

export function goldenFile(fixture: string, format: FormatName): string {
  return join(GOLDEN_DIR, `${fixture}.${format}.${FORMATS[format].ext}`);
}
