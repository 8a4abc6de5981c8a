import { BACKGROUND, INK, PRECIPITATION, SMOKE, SOIL } from './palette';

/*
 * Every picture element, drawn as ASCII art so a reviewer can read and change it here.
 * Legend:
 *   .  transparent (whatever is behind shows through)
 *   #  ink
 *   o  paper (background colour, opaque: hides what is behind, e.g. a cloud in front of the sun)
 *   x  soil brown (tree trunks)
 *   ~  smoke grey
 *   *  rain/snow blue
 * All rows of one sprite must have the same length (checked when the module loads).
 */

const PIXEL_OF: Record<string, number> = {
  '#': INK,
  o: BACKGROUND,
  x: SOIL,
  '~': SMOKE,
  '*': PRECIPITATION,
};
/** Marks a transparent pixel in Sprite.pixels. */
export const TRANSPARENT = 255;

// One array element per pixel row: the ASCII art is the drawing, so the formatter must not join rows.
// prettier-ignore
const ART = {
  // The house at "now", chimney on the right so the smoke drifts over the timeline.
  house: [
    '.................##....',
    '.................##....',
    '...........#.....##....',
    '..........###....##....',
    '.........#####...##....',
    '........#######..##....',
    '.......#########.##....',
    '......#############....',
    '.....###############...',
    '....#################..',
    '...###################.',
    '..#####################',
    '....#ooooooooooooooo#..',
    '....#ooooooooo#####o#..',
    '....#o###ooooo#o#o#o#..',
    '....#o#o#ooooo#####o#..',
    '....#o#o#ooooo#o#o#o#..',
    '....#o#o#ooooo#####o#..',
    '....#o#o#ooooooooooo#..',
    '....#o#o#ooooooooooo#..',
    '....#################..',
  ],

  // Wind from the north: firs, four heights.
  'fir-1': [
    '..#..',
    '.###.',
    '..#..',
    '.###.',
    '#####',
    '.###.',
    '#####',
    '..x..',
    '..x..',
  ],
  'fir-2': [
    '...#...',
    '..###..',
    '.#####.',
    '..###..',
    '.#####.',
    '#######',
    '..###..',
    '.#####.',
    '#######',
    '...x...',
    '...x...',
    '...x...',
  ],
  'fir-3': [
    '....#....',
    '...###...',
    '..#####..',
    '...###...',
    '..#####..',
    '.#######.',
    '..#####..',
    '.#######.',
    '#########',
    '..#####..',
    '.#######.',
    '#########',
    '....x....',
    '....x....',
    '....x....',
  ],
  'fir-4': [
    '.....#.....',
    '....###....',
    '...#####...',
    '....###....',
    '...#####...',
    '..#######..',
    '...#####...',
    '..#######..',
    '.#########.',
    '..#######..',
    '.#########.',
    '###########',
    '..#######..',
    '.#########.',
    '###########',
    '.....x.....',
    '.....x.....',
    '.....x.....',
    '.....x.....',
  ],

  // Wind from the east: round oaks.
  'oak-1': [
    '.###.',
    '#o#o#',
    '#oo##',
    '##oo#',
    '.###.',
    '..x..',
    '..x..',
    '..x..',
    '.x.x.',
  ],
  'oak-2': [
    '..###..',
    '.#ooo#.',
    '#oo#oo#',
    '#o#ooo#',
    '#ooo#o#',
    '#oo#oo#',
    '.#ooo#.',
    '..#x#..',
    '...x...',
    '...x...',
    '...x...',
    '..x.x..',
  ],
  'oak-3': [
    '...###...',
    '.##ooo##.',
    '#ooo#ooo#',
    '#o#ooo#o#',
    '#ooo#ooo#',
    '#oo#oo#o#',
    '#o#ooooo#',
    '.#oo#o##.',
    '..##x#...',
    '....x....',
    '....x....',
    '....x....',
    '....x....',
    '....x....',
    '...x.x...',
  ],
  'oak-4': [
    '....###....',
    '..##ooo##..',
    '.#ooo#ooo#.',
    '#oo#ooo#oo#',
    '#ooooo#ooo#',
    '#o#oooooo##',
    '#ooo#oo#oo#',
    '#oooooo#oo#',
    '.#o#oooooo#',
    '.#ooo#o#o#.',
    '..##ooo##..',
    '....#x#....',
    '.....x.....',
    '.....x.....',
    '.....x.....',
    '.....x.....',
    '.....x.....',
    '.....x.....',
    '....x.x....',
  ],

  // Wind from the south: palms.
  'palm-1': [
    '.##.##.',
    '#..#..#',
    '..#x#..',
    '...x...',
    '...x...',
    '...x...',
    '..x....',
    '..x....',
    '..x....',
  ],
  'palm-2': [
    '.##...##.',
    '#..#.#..#',
    '...###...',
    '..#.x.#..',
    '.#..x..#.',
    '....x....',
    '....x....',
    '...x.....',
    '...x.....',
    '...x.....',
    '...x.....',
    '...x.....',
  ],
  'palm-3': [
    '..###.###..',
    '.#...#...#.',
    '#...###...#',
    '...#.x.#...',
    '..#..x..#..',
    '.....x.....',
    '.....x.....',
    '....x......',
    '....x......',
    '....x......',
    '....x......',
    '...x.......',
    '...x.......',
    '...x.......',
    '...x.......',
  ],
  'palm-4': [
    '...###.###...',
    '.##...#...##.',
    '#....###....#',
    '....#.#.#....',
    '...#..x..#...',
    '..#...x...#..',
    '......x......',
    '......x......',
    '.....x.......',
    '.....x.......',
    '.....x.......',
    '.....x.......',
    '.....x.......',
    '....x........',
    '....x........',
    '....x........',
    '....x........',
    '....x........',
    '....x........',
  ],

  // Wind from the west: slim poplars.
  'poplar-1': [
    '.#.',
    '#o#',
    '###',
    '#o#',
    '###',
    '.#.',
    '.x.',
    '.x.',
    '.x.',
  ],
  'poplar-2': [
    '..#..',
    '.#o#.',
    '.###.',
    '#o#o#',
    '#####',
    '#o#o#',
    '#####',
    '.#o#.',
    '..x..',
    '..x..',
    '..x..',
    '..x..',
  ],
  'poplar-3': [
    '..#..',
    '.#o#.',
    '.###.',
    '.#o#.',
    '#o#o#',
    '#####',
    '#o#o#',
    '#####',
    '#o#o#',
    '.###.',
    '.#o#.',
    '..#..',
    '..x..',
    '..x..',
    '..x..',
  ],
  'poplar-4': [
    '...#...',
    '..#o#..',
    '..###..',
    '.#o#o#.',
    '.#####.',
    '.#o#o#.',
    '#######',
    '#o#o#o#',
    '#######',
    '#o#o#o#',
    '.#####.',
    '.#o#o#.',
    '.#####.',
    '..#o#..',
    '...#...',
    '...x...',
    '...x...',
    '...x...',
    '...x...',
  ],

  // Chimney smoke puffs, growing as they drift away.
  'smoke-1': ['~'],
  'smoke-2': ['~~', '~~'],
  'smoke-3': ['.~~.', '~..~', '~..~', '.~~.'],
  'smoke-4': ['.~~~.', '~...~', '~...~', '~...~', '.~~~.'],

  sun: [
    '......#......',
    '..#...#...#..',
    '...#.....#...',
    '.....###.....',
    '....#ooo#....',
    '...#ooooo#...',
    '##.#ooooo#.##',
    '...#ooooo#...',
    '....#ooo#....',
    '.....###.....',
    '...#.....#...',
    '..#...#...#..',
    '......#......',
  ],
  moon: [
    '...###...',
    '.##oo#...',
    '#oo#.....',
    '#o#......',
    '#o#......',
    '#o#......',
    '#oo#.....',
    '.##oo#...',
    '...###...',
  ],

  // Clouds, from a wisp to the heavy kind that forms a bank when 90 %+ of the sky is covered.
  'cloud-1': [
    '..##...',
    '.#oo##.',
    '#ooooo#',
    '.#####.',
  ],
  'cloud-2': [
    '...###.....',
    '..#ooo#.##.',
    '.#ooooo#oo#',
    '#ooooooooo#',
    '.#########.',
  ],
  'cloud-3': [
    '.....###.......',
    '..##.#ooo#.##..',
    '.#oo#ooooo#oo#.',
    '#ooooooooooooo#',
    '#ooooooooooooo#',
    '.#############.',
  ],
  'cloud-4': [
    '........####........',
    '...###.#oooo#.###...',
    '..#ooo#oooooo#ooo#..',
    '.#oooooooooooooooo#.',
    '#oooooooooooooooooo#',
    '#oooooooooooooooooo#',
    '.##################.',
  ],
  'cloud-5': [
    '.........#####...........',
    '....####.#ooooo#..####...',
    '...#oooo#ooooooo##oooo#..',
    '..#oooooooooooooooooooo#.',
    '.#oooooooooooooooooooooo#',
    '#ooooooooooooooooooooooo#',
    '#oo#ooo#ooo#ooo#ooo#ooo##',
    '#o#o#o#o#o#o#o#o#o#o#o#o#',
    '.#######################.',
  ],

  // Local noon: an open daisy. Local midnight: a closed tulip.
  'flower-noon': [
    '.#.#.#.',
    '#.###.#',
    '.##o##.',
    '#.###.#',
    '.#.#.#.',
    '...#...',
    '.#.#...',
    '..##...',
    '...#...',
  ],
  'flower-midnight': [
    '.#.#.',
    '#o#o#',
    '#ooo#',
    '.###.',
    '..#..',
    '..#.#',
    '..##.',
    '..#..',
  ],

  // Small digits for temperatures.
  'digit-0': ['###', '#.#', '#.#', '#.#', '###'],
  'digit-1': ['.#.', '##.', '.#.', '.#.', '###'],
  'digit-2': ['###', '..#', '###', '#..', '###'],
  'digit-3': ['###', '..#', '.##', '..#', '###'],
  'digit-4': ['#.#', '#.#', '###', '..#', '..#'],
  'digit-5': ['###', '#..', '###', '..#', '###'],
  'digit-6': ['###', '#..', '###', '#.#', '###'],
  'digit-7': ['###', '..#', '..#', '.#.', '.#.'],
  'digit-8': ['###', '#.#', '###', '#.#', '###'],
  'digit-9': ['###', '#.#', '###', '..#', '###'],
  minus: ['...', '...', '###', '...', '...'],
  degree: ['.#.', '#.#', '.#.', '...', '...'],
} as const satisfies Record<string, readonly string[]>;

export type SpriteName = keyof typeof ART;

export interface Sprite {
  readonly name: SpriteName;
  readonly width: number;
  readonly height: number;
  /** The ASCII art it was parsed from, one string per row. */
  readonly art: readonly string[];
  /** Palette index per pixel, row-major; TRANSPARENT where nothing is drawn. */
  readonly pixels: Uint8Array;
}

function parseSprite(name: SpriteName, art: readonly string[]): Sprite {
  const width = art[0]?.length ?? 0;
  if (width === 0) throw new Error(`sprite ${name} is empty`);
  const pixels = new Uint8Array(width * art.length);
  art.forEach((row, y) => {
    if (row.length !== width) throw new Error(`sprite ${name}: row ${y} is ${row.length} wide, expected ${width}`);
    for (let x = 0; x < width; x++) {
      const ch = row[x];
      if (ch === '.') pixels[y * width + x] = TRANSPARENT;
      else {
        const color = PIXEL_OF[ch];
        if (color === undefined) throw new Error(`sprite ${name}: unknown character '${ch}' at ${x},${y}`);
        pixels[y * width + x] = color;
      }
    }
  });
  return { name, width, height: art.length, art, pixels };
}

export const SPRITE_NAMES = Object.keys(ART) as SpriteName[];

/** Every sprite by name, parsed once when the module loads. */
export const SPRITES: Readonly<Record<SpriteName, Sprite>> = Object.fromEntries(SPRITE_NAMES.map((name) => [name, parseSprite(name, ART[name])])) as Record<
  SpriteName,
  Sprite
>;

export type TreeSpecies = 'fir' | 'oak' | 'palm' | 'poplar';
export const TREE_SPECIES: readonly TreeSpecies[] = ['fir', 'oak', 'palm', 'poplar'];
export type TreeSize = 1 | 2 | 3 | 4;
export type CloudSize = 1 | 2 | 3 | 4 | 5;

export function treeSprite(species: TreeSpecies, size: TreeSize): Sprite {
  return SPRITES[`${species}-${size}`];
}

export function cloudSprite(size: CloudSize): Sprite {
  return SPRITES[`cloud-${size}`];
}

/** Sprite for one character of a temperature label ('0'-'9', '-', '°'). */
export function glyphSprite(ch: string): Sprite | undefined {
  if (ch >= '0' && ch <= '9') return SPRITES[`digit-${ch}` as SpriteName];
  if (ch === '-') return SPRITES.minus;
  if (ch === '°') return SPRITES.degree;
  return undefined;
}
