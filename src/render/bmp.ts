import type { Canvas } from './canvas';
import { BACKGROUND } from './palette';

/**
 * 1-bit Windows BMP, written by hand because it is tiny: BITMAPFILEHEADER (14 bytes),
 * BITMAPINFOHEADER (40 bytes), a 2-entry palette (index 0 = black, 1 = white), then the rows,
 * each padded to a multiple of 4 bytes. The header always says bottom-up (positive height).
 */

export const BMP_FILE_HEADER_SIZE = 14;
export const BMP_INFO_HEADER_SIZE = 40;
export const BMP_PALETTE_SIZE = 8;
export const BMP_PIXEL_OFFSET = BMP_FILE_HEADER_SIZE + BMP_INFO_HEADER_SIZE + BMP_PALETTE_SIZE;
/** 72 dpi in pixels per metre; informational only. */
const PIXELS_PER_METRE = 2835;

/** A 1-bit picture: one byte per pixel, 1 = ink (black on paper), 0 = paper. */
export interface InkMask {
  width: number;
  height: number;
  ink: Uint8Array;
}

/** Everything that is not background becomes ink: soil, smoke and rain all print black. */
export function inkMask(canvas: Canvas): InkMask {
  const ink = new Uint8Array(canvas.width * canvas.height);
  const src = canvas.data;
  for (let i = 0; i < src.length; i++) ink[i] = src[i] === BACKGROUND ? 0 : 1;
  return { width: canvas.width, height: canvas.height, ink };
}

/**
 * Rotates 90° clockwise for the portrait-mounted e-ink panel: the landscape's left edge (now)
 * becomes the top, its sky the right-hand side. Output pixel (x', y') = input (y', H − 1 − x').
 */
export function rotateClockwise(mask: InkMask): InkMask {
  const { width: w, height: h, ink } = mask;
  const out = new Uint8Array(w * h);
  // Output is h wide and w tall.
  for (let y = 0; y < w; y++) {
    const row = y * h;
    for (let x = 0; x < h; x++) out[row + x] = ink[(h - 1 - x) * w + y];
  }
  return { width: h, height: w, ink: out };
}

export interface BmpOptions {
  /** Swap paper and ink (the `bwi` format). The palette stays the same; the bits are inverted. */
  invert?: boolean;
  /**
   * Store the picture's TOP row first in the file while the header still says bottom-up (the
   * `eink` format). The e-paper firmware copies the pixel array into panel RAM in file order and
   * reads the height unsigned, so a top-down BMP (negative height) is refused and an ordinary one
   * shows upside down; the price is that image viewers show this file mirrored top to bottom.
   */
  topRowFirst?: boolean;
}

export function encodeBmp1(mask: InkMask, options: BmpOptions = {}): Uint8Array {
  const { width, height, ink } = mask;
  const rowBytes = Math.ceil(width / 32) * 4;
  const imageSize = rowBytes * height;
  const fileSize = BMP_PIXEL_OFFSET + imageSize;
  const bytes = new Uint8Array(fileSize);
  const view = new DataView(bytes.buffer);

  // BITMAPFILEHEADER
  bytes[0] = 0x42; // 'B'
  bytes[1] = 0x4d; // 'M'
  view.setUint32(2, fileSize, true);
  view.setUint32(6, 0, true); // reserved
  view.setUint32(10, BMP_PIXEL_OFFSET, true);

  // BITMAPINFOHEADER
  view.setUint32(14, BMP_INFO_HEADER_SIZE, true);
  view.setInt32(18, width, true);
  view.setInt32(22, height, true); // positive: bottom-up rows (see topRowFirst)
  view.setUint16(26, 1, true); // planes
  view.setUint16(28, 1, true); // bits per pixel
  view.setUint32(30, 0, true); // BI_RGB, no compression
  view.setUint32(34, imageSize, true);
  view.setInt32(38, PIXELS_PER_METRE, true);
  view.setInt32(42, PIXELS_PER_METRE, true);
  view.setUint32(46, 2, true); // colours used
  view.setUint32(50, 2, true); // important colours

  // Palette: BGRA quads. Index 0 black, index 1 white.
  bytes.set([0, 0, 0, 0, 255, 255, 255, 0], BMP_FILE_HEADER_SIZE + BMP_INFO_HEADER_SIZE);

  // Paper is bit 1 (white), ink bit 0 (black); `invert` flips that.
  const paperBit = options.invert ? 0 : 1;
  for (let y = 0; y < height; y++) {
    const dst = BMP_PIXEL_OFFSET + (options.topRowFirst ? y : height - 1 - y) * rowBytes;
    const src = y * width;
    for (let x = 0; x < width; x++) {
      const bit = ink[src + x] === 1 ? paperBit ^ 1 : paperBit;
      if (bit) bytes[dst + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return bytes;
}
