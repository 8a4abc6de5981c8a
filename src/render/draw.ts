import type { Canvas } from './canvas';
import { BACKGROUND } from './palette';
import { glyphSprite, TRANSPARENT, type Sprite } from './sprites';

/** Draws a sprite with its top-left corner at (x, y); transparent pixels leave the canvas as is. */
export function drawSprite(canvas: Canvas, sprite: Sprite, x: number, y: number): void {
  const { width, height, pixels } = sprite;
  const cw = canvas.width;
  const ch = canvas.height;
  const data = canvas.data;
  for (let j = 0; j < height; j++) {
    const cy = y + j;
    if (cy < 0 || cy >= ch) continue;
    for (let i = 0; i < width; i++) {
      const cx = x + i;
      if (cx < 0 || cx >= cw) continue;
      const p = pixels[j * width + i];
      if (p !== TRANSPARENT) data[cy * cw + cx] = p;
    }
  }
}

/** Draws a sprite standing on (cx, baseY): centred horizontally, its bottom row at baseY. */
export function drawSpriteOnGround(canvas: Canvas, sprite: Sprite, cx: number, baseY: number): void {
  drawSprite(canvas, sprite, cx - (sprite.width >> 1), baseY - sprite.height + 1);
}

const GLYPH_GAP = 1;

export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const glyph = glyphSprite(ch);
    if (glyph) width += glyph.width + GLYPH_GAP;
  }
  return Math.max(0, width - GLYPH_GAP);
}

export const TEXT_HEIGHT = 5;

/** Cleared margin around a label: wider sideways so a stray soil dot never reads as a minus. */
export const TEXT_MARGIN_X = 2;
export const TEXT_MARGIN_Y = 1;

/**
 * Draws a temperature label with its top-left at (x, y) on a cleared box (TEXT_MARGIN_* wider),
 * so digits stay legible over soil texture, rain or a tree trunk.
 */
export function drawText(canvas: Canvas, text: string, x: number, y: number, color: number): void {
  canvas.fillRect(x - TEXT_MARGIN_X, y - TEXT_MARGIN_Y, x + textWidth(text) + TEXT_MARGIN_X, y + TEXT_HEIGHT + TEXT_MARGIN_Y, BACKGROUND);
  let cx = x;
  for (const ch of text) {
    const glyph = glyphSprite(ch);
    if (!glyph) continue;
    const { width, height, pixels } = glyph;
    for (let j = 0; j < height; j++) {
      for (let i = 0; i < width; i++) if (pixels[j * width + i] !== TRANSPARENT) canvas.set(cx + i, y + j, color);
    }
    cx += width + GLYPH_GAP;
  }
}
