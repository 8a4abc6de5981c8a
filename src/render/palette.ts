/**
 * Colour indices the scene is drawn with. The canvas stores these indices, never RGB, so one
 * scene can be encoded to every format: the PNG themes map each index to a colour, the 1-bit
 * formats map BACKGROUND to paper and everything else to ink.
 */
export const BACKGROUND = 0;
export const INK = 1;
export const SOIL = 2;
export const SMOKE = 3;
export const PRECIPITATION = 4;

export type ColorIndex = typeof BACKGROUND | typeof INK | typeof SOIL | typeof SMOKE | typeof PRECIPITATION;

/** Number of colour indices in use; themes must define exactly this many colours. */
export const COLOR_COUNT = 5;

export type Rgb = readonly [number, number, number];
export type ThemeName = 'light' | 'dark';

/** RGB per colour index, in index order (see the README "Image formats"). */
export const THEMES: Record<ThemeName, readonly Rgb[]> = {
  light: [
    [255, 255, 255], // background: white paper
    [0, 0, 0], // ink: black
    [139, 90, 43], // soil: brown
    [136, 136, 136], // smoke: grey
    [30, 100, 220], // rain and snow: blue
  ],
  dark: [
    [0, 0, 0], // background: black
    [255, 255, 255], // ink: white
    [176, 128, 80], // soil: a lighter brown that still reads on black
    [150, 150, 150], // smoke: grey
    [140, 200, 255], // rain and snow: light blue
  ],
};
