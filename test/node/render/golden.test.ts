import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Forecast } from '../../../src/domain/forecast';
import { FORMAT_NAMES } from '../../../src/domain/formats';
import { renderLandscape } from '../../../src/render/index';
import { FIXTURE_NAMES, FIXTURES } from '../../fixtures/forecasts';
import { NodeBuffer } from '../../support/node-buffer';
import { goldenFile } from './goldens';

const HINT = 'If this change to the picture is intended, run `npm run golden:update`, look at the new images and commit them.';

describe('fixtures', () => {
  it('are valid forecasts', () => {
    for (const name of FIXTURE_NAMES) expect(() => Forecast.parse(FIXTURES[name]), name).not.toThrow();
  });
});

describe('golden images (byte for byte)', () => {
  for (const fixture of FIXTURE_NAMES) {
    for (const format of FORMAT_NAMES) {
      it(`${fixture} ${format}`, () => {
        const path = goldenFile(fixture, format);
        if (!existsSync(path)) expect.fail(`missing golden ${path}. ${HINT}`);
        const actual = renderLandscape(FIXTURES[fixture], format).bytes;
        const expected = new Uint8Array(readFileSync(path));
        const same = actual.length === expected.length && actual.every((b, i) => b === expected[i]);
        expect(same, `${fixture}.${format} differs from ${path} (${actual.length} vs ${expected.length} bytes). ${HINT}`).toBe(true);
      });
    }
  }

  it('are rendered again identically (deterministic)', () => {
    for (const format of FORMAT_NAMES) {
      const a = renderLandscape(FIXTURES['seattle-cold-rain'], format).bytes;
      const b = renderLandscape(structuredClone(FIXTURES['seattle-cold-rain']), format).bytes;
      expect(NodeBuffer.from(a).equals(NodeBuffer.from(b))).toBe(true);
    }
  });
});
