import { encode } from 'fast-png';
import type { Canvas } from './canvas';
import { COLOR_COUNT, type Rgb } from './palette';

/**
 * Encodes an indexed canvas as a 4-bit palette PNG (colour type 3). With five colours, 4 bits per
 * pixel halves what deflate has to chew compared to 8-bit indices and is ~8× smaller than RGBA
 * before compression; every PNG decoder supports it.
 *
 * `scale` enlarges each pixel to scale×scale (for previews and the guide page's sprites);
 * `transparentIndex` marks one palette entry fully transparent (sprites on any background).
 */
export function encodeIndexedPng(canvas: Canvas, palette: readonly Rgb[], options: { scale?: number; transparentIndex?: number } = {}): Uint8Array {
  const scale = Math.max(1, Math.floor(options.scale ?? 1));
  if (palette.length !== COLOR_COUNT) throw new Error(`palette needs ${COLOR_COUNT} colours`);
  const width = canvas.width * scale;
  const height = canvas.height * scale;
  const rowBytes = (width + 1) >> 1;
  const packed = new Uint8Array(rowBytes * height);
  const src = canvas.data;
  for (let y = 0; y < height; y++) {
    const srcRow = ((y / scale) | 0) * canvas.width;
    const dstRow = y * rowBytes;
    for (let x = 0; x < width; x++) {
      const index = src[srcRow + ((x / scale) | 0)];
      // High nibble first, as PNG packs sub-byte pixels from the most significant bits.
      packed[dstRow + (x >> 1)] |= (x & 1) === 0 ? index << 4 : index;
    }
  }
  const t = options.transparentIndex;
  // fast-png writes tRNS only from 4-component palettes and only for the non-opaque entries in
  // order, so transparency is only correct for index 0 (checked here rather than silently wrong).
  if (t !== undefined && t !== 0) throw new Error('only palette index 0 can be transparent');
  const pngPalette = palette.map(([r, g, b], i) => (t === undefined ? [r, g, b] : [r, g, b, i === t ? 0 : 255]));
  return encode({ width, height, data: packed, depth: 4, channels: 1, palette: pngPalette });
}
