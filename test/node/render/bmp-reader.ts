/**
 * An independent 1-bit BMP reader for the tests: parses every header field back and checks the
 * layout rules itself, so it does not share a single line with the writer under test.
 */
export interface ParsedBmp {
  signature: string;
  fileSize: number;
  reserved: number;
  pixelOffset: number;
  headerSize: number;
  width: number;
  height: number;
  planes: number;
  bitsPerPixel: number;
  compression: number;
  imageSize: number;
  colorsUsed: number;
  /** Palette entries as [r, g, b]. */
  palette: Array<[number, number, number]>;
  rowBytes: number;
  /** Non-zero bits found in row padding (must be 0). */
  paddingBitsSet: number;
  /** RGB of the pixel at (x, y), y = 0 at the top of the picture. */
  rgb(x: number, y: number): [number, number, number];
  /** true when the pixel at (x, y) is black. */
  isBlack(x: number, y: number): boolean;
}

export function readBmp(bytes: Uint8Array): ParsedBmp {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const signature = String.fromCharCode(bytes[0], bytes[1]);
  const headerSize = view.getUint32(14, true);
  const width = view.getInt32(18, true);
  const height = view.getInt32(22, true);
  const colorsUsed = view.getUint32(46, true);
  const paletteStart = 14 + headerSize;
  const entries = colorsUsed === 0 ? 2 : colorsUsed;
  const palette: Array<[number, number, number]> = [];
  for (let i = 0; i < entries; i++) {
    const o = paletteStart + i * 4;
    palette.push([bytes[o + 2], bytes[o + 1], bytes[o]]); // stored B, G, R, reserved
  }
  const pixelOffset = view.getUint32(10, true);
  const rowBytes = Math.floor((width + 31) / 32) * 4;
  const absHeight = Math.abs(height);
  const bottomUp = height > 0;
  const rowStart = (y: number) => pixelOffset + (bottomUp ? absHeight - 1 - y : y) * rowBytes;
  let paddingBitsSet = 0;
  for (let y = 0; y < absHeight; y++) {
    for (let bit = width; bit < rowBytes * 8; bit++) {
      if (bytes[rowStart(y) + (bit >> 3)] & (0x80 >> (bit & 7))) paddingBitsSet++;
    }
  }
  const index = (x: number, y: number) => (bytes[rowStart(y) + (x >> 3)] >> (7 - (x & 7))) & 1;
  return {
    signature,
    fileSize: view.getUint32(2, true),
    reserved: view.getUint32(6, true),
    pixelOffset,
    headerSize,
    width,
    height,
    planes: view.getUint16(26, true),
    bitsPerPixel: view.getUint16(28, true),
    compression: view.getUint32(30, true),
    imageSize: view.getUint32(34, true),
    colorsUsed,
    palette,
    rowBytes,
    paddingBitsSet,
    rgb: (x, y) => palette[index(x, y)],
    isBlack: (x, y) => {
      const [r, g, b] = palette[index(x, y)];
      return r + g + b === 0;
    },
  };
}
