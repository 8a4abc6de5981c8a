/**
 * `eink.bmp` read exactly as the ESP32 MicroPython firmware of the original project reads it, written
 * independently of our encoder: it does not decode the BMP. It reads width and height from the
 * header as unsigned little-endian integers, refuses anything but 128×296, then copies the bytes from
 * the header's pixel-data offset to the end of the file straight into the panel's RAM, in file order:
 * the first 16 bytes are panel row y = 0, most significant bit = leftmost pixel, bit 1 = white.
 */
export const PANEL_WIDTH = 128;
export const PANEL_HEIGHT = 296;
const PANEL_ROW_BYTES = PANEL_WIDTH / 8;

export interface PanelImage {
  /** true when the panel shows pixel (x, y) black; y = 0 is the panel's first RAM row. */
  isBlack(x: number, y: number): boolean;
}

export function readAsFirmware(file: Uint8Array): PanelImage {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const offset = view.getUint32(10, true);
  const width = view.getUint32(18, true);
  const height = view.getUint32(22, true);
  if (width !== PANEL_WIDTH || height !== PANEL_HEIGHT) {
    throw new Error(`firmware refuses the image: ${width}×${height} is not ${PANEL_WIDTH}×${PANEL_HEIGHT}`);
  }
  const ram = file.subarray(offset);
  if (ram.length !== PANEL_ROW_BYTES * PANEL_HEIGHT) {
    throw new Error(`firmware would copy ${ram.length} bytes into a ${PANEL_ROW_BYTES * PANEL_HEIGHT}-byte panel RAM`);
  }
  return {
    isBlack: (x, y) => ((ram[y * PANEL_ROW_BYTES + (x >> 3)] >> (7 - (x & 7))) & 1) === 0,
  };
}

/**
 * Pixels where the panel differs from `landscape` (296×128, y = 0 at the top) rotated 90° clockwise:
 * the landscape's left edge (now) at the panel's top, its sky on the panel's right.
 */
export function panelDifferences(panel: PanelImage, landscape: { isBlack(x: number, y: number): boolean }): number {
  let differing = 0;
  for (let y = 0; y < PANEL_HEIGHT; y++) {
    for (let x = 0; x < PANEL_WIDTH; x++) if (panel.isBlack(x, y) !== landscape.isBlack(y, PANEL_WIDTH - 1 - x)) differing++;
  }
  return differing;
}
