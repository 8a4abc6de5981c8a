/**
 * The landscape renderer: a forecast in, image bytes out. Pure TypeScript (no Workers or node:
 * APIs), deterministic for a given forecast and seed, so it runs the same in Node and workerd.
 */
import type { Forecast } from '../domain/forecast';
import { FORMATS, type FormatName } from '../domain/formats';
import { encodeBmp1, inkMask, rotateClockwise } from './bmp';
import { Canvas } from './canvas';
import { drawSprite } from './draw';
import { BACKGROUND, THEMES, type ThemeName } from './palette';
import { encodeIndexedPng } from './png';
import { renderScene, type Scene } from './scene';
import { SPRITES, type SpriteName } from './sprites';

export interface RenderOptions {
  /** Seed for the decorative randomness; defaults to one derived from the location and `now`. */
  seed?: string;
}

export interface RenderedImage {
  bytes: Uint8Array;
  contentType: 'image/png' | 'image/bmp';
  width: number;
  height: number;
}

/** Renders the forecast as the named format (see src/domain/formats.ts). */
export function renderLandscape(forecast: Forecast, format: FormatName, options: RenderOptions = {}): RenderedImage {
  const scene = renderScene(forecast, options);
  return encodeScene(scene, format);
}

/** Encodes an already drawn scene: lets one drawing serve several formats. */
export function encodeScene(scene: Scene, format: FormatName): RenderedImage {
  const spec = FORMATS[format];
  let bytes: Uint8Array;
  switch (format) {
    case 'rgb_light':
      bytes = encodeIndexedPng(scene.canvas, THEMES.light);
      break;
    case 'rgb_dark':
      bytes = encodeIndexedPng(scene.canvas, THEMES.dark);
      break;
    case 'bw':
      bytes = encodeBmp1(inkMask(scene.canvas));
      break;
    case 'bwi':
      bytes = encodeBmp1(inkMask(scene.canvas), { invert: true });
      break;
    case 'eink':
      // Laid out for the panel's firmware, not for image viewers: see BmpOptions.topRowFirst.
      bytes = encodeBmp1(rotateClockwise(inkMask(scene.canvas)), { topRowFirst: true });
      break;
    default: {
      const unknown: never = format;
      throw new Error(`unknown format ${String(unknown)}`);
    }
  }
  return { bytes, contentType: spec.contentType, width: spec.width, height: spec.height };
}

export interface SpritePngOptions {
  theme?: ThemeName;
  /** Transparent background (default) or the theme's paper colour. */
  transparent?: boolean;
}

/**
 * One sprite as a PNG, for the /guide page, which must show the renderer's own artwork.
 * `scale` enlarges each pixel (integer, default 4). With a transparent background the sprite's
 * paper-coloured pixels (cloud and house interiors) are transparent too: show it on the theme's
 * paper colour.
 */
export function renderSpritePng(name: SpriteName, scale = 4, options: SpritePngOptions = {}): Uint8Array {
  const sprite = SPRITES[name];
  if (!sprite) throw new Error(`unknown sprite ${String(name)}`);
  const canvas = new Canvas(sprite.width, sprite.height, BACKGROUND);
  drawSprite(canvas, sprite, 0, 0);
  const transparent = options.transparent ?? true;
  return encodeIndexedPng(canvas, THEMES[options.theme ?? 'light'], {
    scale,
    transparentIndex: transparent ? BACKGROUND : undefined,
  });
}

/** Renders a scene's canvas enlarged (previews, README images); not a served format. */
export function renderScenePng(scene: Scene, theme: ThemeName, scale = 1): Uint8Array {
  return encodeIndexedPng(scene.canvas, THEMES[theme], { scale });
}

export { SPRITES, SPRITE_NAMES, TREE_SPECIES, type Sprite, type SpriteName, type TreeSpecies } from './sprites';
export { renderScene, defaultSeed, type Scene, type SceneOptions, type TreePlacement, type Label } from './scene';
export { xForTime, timeForX, columnsForInterval, NOW_ZONE_PX, PX_PER_HOUR, HOURS_SHOWN } from './time-axis';
export { sunEvents, type SunEvents } from './sun';
export { localNoonsAndMidnights } from './local-time';
export { THEMES, type ThemeName } from './palette';
export * as encodings from './encodings';
export { Canvas } from './canvas';
