import { BACKGROUND } from './palette';

/**
 * An indexed-colour raster: one byte per pixel (a palette index), rows top to bottom.
 * A flat typed array keeps drawing allocation-free and fast; every write is clipped so
 * sprites and lines may hang over the edges.
 */
export class Canvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    fill: number = BACKGROUND,
  ) {
    this.data = new Uint8Array(width * height);
    if (fill !== 0) this.data.fill(fill);
  }

  get(x: number, y: number): number {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return BACKGROUND;
    return this.data[y * this.width + x];
  }

  set(x: number, y: number, color: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.data[y * this.width + x] = color;
  }

  /** Fills the rectangle [x0, x1) × [y0, y1), clipped. */
  fillRect(x0: number, y0: number, x1: number, y1: number, color: number): void {
    const xa = Math.max(0, x0);
    const xb = Math.min(this.width, x1);
    const ya = Math.max(0, y0);
    const yb = Math.min(this.height, y1);
    if (xa >= xb) return;
    for (let y = ya; y < yb; y++) this.data.fill(color, y * this.width + xa, y * this.width + xb);
  }

  /** Vertical run from y0 to y1 inclusive, in either order. */
  vline(x: number, y0: number, y1: number, color: number): void {
    if (x < 0 || x >= this.width) return;
    const ya = Math.max(0, Math.min(y0, y1));
    const yb = Math.min(this.height - 1, Math.max(y0, y1));
    for (let y = ya; y <= yb; y++) this.data[y * this.width + x] = color;
  }

  /** Bresenham line between two integer points, inclusive. */
  line(x0: number, y0: number, x1: number, y1: number, color: number): void {
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    let x = x0;
    let y = y0;
    for (;;) {
      this.set(x, y, color);
      if (x === x1 && y === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
  }
}
