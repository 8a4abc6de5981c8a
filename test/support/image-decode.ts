import { PNG } from 'pngjs';
import { NodeBuffer } from './node-buffer';

export interface DecodedImage {
  width: number;
  height: number;
  bitDepth: number;
  /** Whether pixel (x, y) is ink (dark), top-left origin. */
  isDark(x: number, y: number): boolean;
}

/** Decodes a PNG with pngjs (independent of the encoder the renderer uses). */
export function decodePng(bytes: Uint8Array): DecodedImage {
  const png = PNG.sync.read(NodeBuffer.from(bytes));
  return {
    width: png.width,
    height: png.height,
    bitDepth: (png as unknown as { depth: number }).depth,
    isDark: (x, y) => {
      const i = (y * png.width + x) * 4;
      return png.data[i] + png.data[i + 1] + png.data[i + 2] < 384;
    },
  };
}

/** Parses an uncompressed 1-bit BMP field by field (BITMAPINFOHEADER), as a device would. */
export function decodeBmp1(bytes: Uint8Array): DecodedImage & { palette: Array<[number, number, number]> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0, false) !== 0x424d) throw new Error('not a BMP: bad signature');
  if (view.getUint32(2, true) !== bytes.byteLength) throw new Error('BMP file size field does not match');
  const offset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize !== 40) throw new Error(`unexpected DIB header size ${headerSize}`);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bitDepth = view.getUint16(28, true);
  if (view.getUint16(26, true) !== 1) throw new Error('planes must be 1');
  if (bitDepth !== 1) throw new Error(`expected 1 bit per pixel, got ${bitDepth}`);
  if (view.getUint32(30, true) !== 0) throw new Error('expected BI_RGB (no compression)');
  const palette: Array<[number, number, number]> = [0, 1].map((i) => {
    const p = 14 + headerSize + i * 4;
    return [bytes[p + 2], bytes[p + 1], bytes[p]];
  });
  const height = Math.abs(rawHeight);
  const stride = Math.ceil(width / 32) * 4;
  if (offset + stride * height > bytes.byteLength) throw new Error('pixel data truncated');
  return {
    width,
    height,
    bitDepth,
    palette,
    isDark: (x, y) => {
      const row = rawHeight > 0 ? height - 1 - y : y;
      const bit = (bytes[offset + row * stride + (x >> 3)] >> (7 - (x & 7))) & 1;
      const [r, g, b] = palette[bit];
      return r + g + b < 384;
    },
  };
}
