/**
 * Seeded randomness. The picture must be byte-for-byte reproducible, so every "random" choice
 * (rain drop positions, soil texture, tree jitter) comes from here, never from Math.random.
 */

/** 32-bit FNV-1a hash of a string (UTF-16 code units; fine for seeds). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A small, fast PRNG (mulberry32): returns floats in [0, 1). */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An independent stream per picture element (`rain`, hour 5, ...): changing the rain in one hour
 * must not reshuffle the soil texture or the trees elsewhere in the picture.
 */
export function streamFor(seed: string, kind: string, index = 0): Random {
  return mulberry32(fnv1a(`${seed}|${kind}|${index}`));
}

/** Integer in [min, max] inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
