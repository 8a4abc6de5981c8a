import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderSpritePng, SPRITE_NAMES, SPRITES } from '../../../src/render/index';
import { TRANSPARENT, TREE_SPECIES } from '../../../src/render/sprites';
import { NodeBuffer } from '../../support/node-buffer';

describe('sprites', () => {
  it('include every element the picture and the guide need', () => {
    const required = [
      'house',
      'sun',
      'moon',
      'flower-noon',
      'flower-midnight',
      'minus',
      'degree',
      ...TREE_SPECIES.flatMap((s) => [1, 2, 3, 4].map((n) => `${s}-${n}`)),
      ...[1, 2, 3, 4, 5].map((n) => `cloud-${n}`),
      ...Array.from({ length: 10 }, (_, d) => `digit-${d}`),
    ];
    for (const name of required) expect(SPRITE_NAMES).toContain(name);
  });

  it('are parsed from their ASCII art, pixel for pixel', () => {
    for (const name of SPRITE_NAMES) {
      const sprite = SPRITES[name];
      expect(sprite.height).toBe(sprite.art.length);
      for (let y = 0; y < sprite.height; y++) {
        expect(sprite.art[y]).toHaveLength(sprite.width);
        for (let x = 0; x < sprite.width; x++) {
          expect(sprite.pixels[y * sprite.width + x] === TRANSPARENT, `${name} ${x},${y}`).toBe(sprite.art[y][x] === '.');
        }
      }
    }
  });

  it('grow with the tree size, for every species', () => {
    for (const species of TREE_SPECIES) {
      const heights = [1, 2, 3, 4].map((n) => SPRITES[`${species}-${n}` as keyof typeof SPRITES].height);
      expect([...heights].sort((a, b) => a - b)).toEqual(heights);
      expect(new Set(heights).size).toBe(4);
    }
  });

  it('render to a PNG for the guide page, scaled, with a transparent background', () => {
    const png = PNG.sync.read(NodeBuffer.from(renderSpritePng('house', 3)));
    const house = SPRITES.house;
    expect([png.width, png.height]).toEqual([house.width * 3, house.height * 3]);
    // Top-left of the house art is transparent; the chimney (first '#' in row 0) is opaque black.
    expect(png.data[3]).toBe(0);
    const chimneyX = house.art[0].indexOf('#') * 3 + 1;
    const o = (1 * png.width + chimneyX) * 4;
    expect([...png.data.subarray(o, o + 4)]).toEqual([0, 0, 0, 255]);

    const opaque = PNG.sync.read(NodeBuffer.from(renderSpritePng('sun', 1, { theme: 'dark', transparent: false })));
    expect([...opaque.data.subarray(0, 4)]).toEqual([0, 0, 0, 255]);
  });
});
