/**
 * Regenerates the golden images compared byte for byte by test/node/render/golden.test.ts, and the
 * README example images. Run after an intended change to the renderer, then review the pictures.
 *
 *   npm run golden:update
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT_NAMES } from '../src/domain/formats';
import { renderLandscape } from '../src/render/index';
import { FIXTURE_NAMES, FIXTURES } from '../test/fixtures/forecasts';
import { GOLDEN_DIR, goldenFile } from '../test/node/render/goldens';

/** The fixture shown in the README: it has clouds, rain, sun, moon and the trees turning with the wind. */
const README_FIXTURE = 'chicago-wind-shift';
const DOCS_DIR = join(import.meta.dirname, '../docs/images');

mkdirSync(GOLDEN_DIR, { recursive: true });
// Drop goldens of fixtures or formats that no longer exist, so the folder matches the tests.
const expected = new Set(FIXTURE_NAMES.flatMap((f) => FORMAT_NAMES.map((fmt) => goldenFile(f, fmt))));
for (const name of readdirSync(GOLDEN_DIR)) {
  const path = join(GOLDEN_DIR, name);
  if (/\.(png|bmp)$/.test(name) && !expected.has(path)) {
    rmSync(path);
    console.log(`removed ${path}`);
  }
}

let total = 0;
for (const fixture of FIXTURE_NAMES) {
  for (const format of FORMAT_NAMES) {
    const { bytes } = renderLandscape(FIXTURES[fixture], format);
    writeFileSync(goldenFile(fixture, format), bytes);
    total += bytes.length;
  }
}
console.log(`wrote ${FIXTURE_NAMES.length * FORMAT_NAMES.length} goldens (${total} bytes) in ${GOLDEN_DIR}`);

mkdirSync(DOCS_DIR, { recursive: true });
for (const format of ['rgb_light', 'rgb_dark'] as const) {
  const path = join(DOCS_DIR, `example-${format}.png`);
  writeFileSync(path, renderLandscape(FIXTURES[README_FIXTURE], format).bytes);
  console.log(`wrote ${path}`);
}
