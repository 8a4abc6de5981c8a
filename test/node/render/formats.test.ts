import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { FORMAT_NAMES, FORMATS } from '../../../src/domain/formats';
import { THEMES } from '../../../src/render/palette';
import { renderLandscape } from '../../../src/render/index';
import { FIXTURE_NAMES, FIXTURES } from '../../fixtures/forecasts';
import { panelDifferences, readAsFirmware } from '../../support/eink-firmware';
import { NodeBuffer } from '../../support/node-buffer';
import { readBmp } from './bmp-reader';

const forecast = FIXTURES['chicago-wind-shift'];

describe('PNG formats, decoded by pngjs', () => {
  for (const format of ['rgb_light', 'rgb_dark'] as const) {
    it(`${format}: 296×128, 4-bit palette, only the theme's colours`, () => {
      const image = renderLandscape(forecast, format);
      expect(image.contentType).toBe('image/png');
      expect([image.width, image.height]).toEqual([296, 128]);
      const png = PNG.sync.read(NodeBuffer.from(image.bytes));
      expect(png.width).toBe(296);
      expect(png.height).toBe(128);
      expect(png.depth).toBe(4);
      expect(png.colorType).toBe(3);
      const theme = THEMES[format === 'rgb_light' ? 'light' : 'dark'];
      // pngjs exposes the PLTE chunk as RGBA entries (its typings say boolean).
      const plte = (png as unknown as { palette: number[][] }).palette;
      expect(plte.map(([r, g, b]) => [r, g, b])).toEqual(theme.map((c) => [...c]));

      const allowed = new Set(theme.map(([r, g, b]) => `${r},${g},${b}`));
      const seen = new Map<string, number>();
      for (let i = 0; i < png.data.length; i += 4) {
        expect(png.data[i + 3]).toBe(255);
        const key = `${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      for (const key of seen.keys()) expect(allowed).toContain(key);
      // This fixture has every element: background, ink, soil, smoke and rain all appear.
      expect(seen.size).toBe(5);
      // The background dominates the picture.
      const [br, bg, bb] = theme[0];
      expect(seen.get(`${br},${bg},${bb}`)! / (296 * 128)).toBeGreaterThan(0.7);
    });
  }
});

describe('BMP formats, parsed field by field', () => {
  for (const format of ['bw', 'bwi', 'eink'] as const) {
    it(`${format}: a valid 1-bit BMP of the right size`, () => {
      const image = renderLandscape(forecast, format);
      const spec = FORMATS[format];
      expect(image.contentType).toBe('image/bmp');
      const bmp = readBmp(image.bytes);
      expect(bmp.signature).toBe('BM');
      expect(bmp.fileSize).toBe(image.bytes.length);
      expect(bmp.reserved).toBe(0);
      expect(bmp.headerSize).toBe(40);
      expect(bmp.pixelOffset).toBe(14 + 40 + 8);
      expect(bmp.width).toBe(spec.width);
      expect(bmp.height).toBe(spec.height); // positive: bottom-up rows
      expect(bmp.planes).toBe(1);
      expect(bmp.bitsPerPixel).toBe(1);
      expect(bmp.compression).toBe(0);
      expect(bmp.colorsUsed).toBe(2);
      expect(bmp.palette).toEqual([
        [0, 0, 0],
        [255, 255, 255],
      ]);
      // Rows are padded to 4 bytes: 296 px = 37 bytes -> 40; 128 px = 16 bytes.
      expect(bmp.rowBytes % 4).toBe(0);
      expect(bmp.rowBytes).toBe(spec.width === 296 ? 40 : 16);
      expect(bmp.imageSize).toBe(bmp.rowBytes * spec.height);
      expect(bmp.fileSize).toBe(bmp.pixelOffset + bmp.rowBytes * spec.height);
      expect(bmp.paddingBitsSet).toBe(0);
    });
  }

  it('bw is black ink on white paper', () => {
    const bmp = readBmp(renderLandscape(forecast, 'bw').bytes);
    let black = 0;
    for (let y = 0; y < 128; y++) for (let x = 0; x < 296; x++) if (bmp.isBlack(x, y)) black++;
    expect(black).toBeGreaterThan(300);
    expect(black / (296 * 128)).toBeLessThan(0.3);
    expect(bmp.isBlack(0, 0)).toBe(false);
  });
});

describe('1-bit variants of the same picture', () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: bwi is exactly the inverse of bw, pixel by pixel`, () => {
      const bw = readBmp(renderLandscape(FIXTURES[name], 'bw').bytes);
      const bwi = readBmp(renderLandscape(FIXTURES[name], 'bwi').bytes);
      expect([bwi.width, bwi.height]).toEqual([bw.width, bw.height]);
      let mismatches = 0;
      for (let y = 0; y < 128; y++) {
        for (let x = 0; x < 296; x++) if (bw.isBlack(x, y) === bwi.isBlack(x, y)) mismatches++;
      }
      expect(mismatches).toBe(0);
    });

    it(`${name}: eink, read as the panel firmware reads it, is bw rotated 90° clockwise`, () => {
      const bw = readBmp(renderLandscape(FIXTURES[name], 'bw').bytes);
      const panel = readAsFirmware(renderLandscape(FIXTURES[name], 'eink').bytes);
      expect(panelDifferences(panel, bw)).toBe(0);
    });

    it(`${name}: eink in an ordinary image viewer is that panel picture mirrored top to bottom`, () => {
      const bw = readBmp(renderLandscape(FIXTURES[name], 'bw').bytes);
      const eink = readBmp(renderLandscape(FIXTURES[name], 'eink').bytes);
      let mismatches = 0;
      for (let y = 0; y < 296; y++) {
        for (let x = 0; x < 128; x++) if (eink.isBlack(x, 295 - y) !== bw.isBlack(y, 127 - x)) mismatches++;
      }
      expect(mismatches).toBe(0);
    });
  }
});

describe('every fixture in every format', () => {
  it('declares the size of the format it returns', () => {
    for (const name of FIXTURE_NAMES) {
      for (const format of FORMAT_NAMES) {
        const image = renderLandscape(FIXTURES[name], format);
        expect([image.width, image.height]).toEqual([FORMATS[format].width, FORMATS[format].height]);
        expect(image.contentType).toBe(FORMATS[format].contentType);
      }
    }
  });
});
