import type { Conditions, Forecast } from '../domain/forecast';
import { Canvas, renderScene, renderScenePng, renderSpritePng, SPRITES, THEMES, type Scene, type SpriteName } from '../render';
import { drawSprite } from '../render/draw';
import { encodeIndexedPng } from '../render/png';

/*
 * Pictures the site draws with the renderer itself (never stored artwork), so the guide, the
 * example and the favicon cannot drift from what the generator produces. Each is drawn once per
 * isolate and kept: the inputs are fixed.
 */

const HOUR_MS = 3_600_000;

/** A fixed, deterministic forecast: every value a function of the hour, no clock, no randomness. */
function syntheticForecast(options: {
  now: string;
  location: Forecast['location'];
  unit: Forecast['unit'];
  weather: (hoursFromNow: number) => Conditions;
}): Forecast {
  const nowMs = Date.parse(options.now);
  const firstMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const hourly = Array.from({ length: 27 }, (_, i) => {
    const time = firstMs + i * HOUR_MS;
    return { time: new Date(time).toISOString(), ...tidy(options.weather((time - nowMs) / HOUR_MS)) };
  });
  return {
    schemaVersion: 1,
    location: options.location,
    now: options.now,
    current: tidy(options.weather(0)),
    hourly,
    unit: options.unit,
    source: { provider: 'example', fetchedAt: options.now },
  };
}

function tidy(c: Conditions): Conditions {
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    temperatureC: round(c.temperatureC),
    pressureHpa: round(c.pressureHpa),
    cloudCoverPct: Math.min(100, Math.max(0, Math.round(c.cloudCoverPct))),
    rainMmH: Math.max(0, round(c.rainMmH)),
    snowMmH: Math.max(0, round(c.snowMmH)),
    windSpeedMs: Math.max(0, round(c.windSpeedMs)),
    windDirectionDeg: ((Math.round(c.windDirectionDeg) % 360) + 360) % 360,
  };
}

const bump = (h: number, from: number, to: number, peak: number) => (h < from || h >= to ? 0 : peak * Math.sin((Math.PI * (h - from)) / (to - from)));

const AUSTIN = { lat: 30.2672, lon: -97.7431, timezone: 'America/Chicago', utcOffsetSeconds: -18000, name: 'Austin, TX', zip: '78701' };

/** The example on the home page before any image exists: an afternoon shower, then a clear night and a breezy morning. */
export const EXAMPLE_FORECAST: Forecast = syntheticForecast({
  now: '2026-06-21T17:20:00Z',
  location: AUSTIN,
  unit: 'F',
  weather: (h) => {
    const localHour = (12.33 + h + 24) % 24;
    return {
      temperatureC: 27 + 6 * Math.cos((2 * Math.PI * (localHour - 16)) / 24) - bump(h, 3, 9, 3),
      pressureHpa: 1016,
      cloudCoverPct: 10 + bump(h, 1, 10, 88),
      rainMmH: bump(h, 3.5, 8, 4),
      snowMmH: 0,
      windSpeedMs: 2 + bump(h, 2, 24, 8),
      windDirectionDeg: 170 + h * 4,
    };
  },
});

const cache = new Map<string, Uint8Array>();
function once(key: string, draw: () => Uint8Array): Uint8Array {
  let bytes = cache.get(key);
  if (!bytes) {
    bytes = draw();
    cache.set(key, bytes);
  }
  return bytes;
}

export function examplePng(): Uint8Array {
  return once('example', () => renderScenePng(renderScene(EXAMPLE_FORECAST), 'light'));
}

/** One sprite, enlarged 4× with transparent paper (the page shows it on the paper colour). */
export function spritePng(name: SpriteName): Uint8Array {
  return once(`sprite:${name}`, () => renderSpritePng(name, 4, { theme: 'light', transparent: true }));
}

function crop(scene: Scene, x: number, y: number, width: number, height: number, scale: number): Uint8Array {
  const out = new Canvas(width, height);
  for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) out.set(i, j, scene.canvas.get(x + i, y + j));
  return encodeIndexedPng(out, THEMES.light, { scale });
}

function steady(weather: Partial<Conditions>): Forecast {
  return syntheticForecast({
    now: '2026-03-20T15:00:00Z',
    location: AUSTIN,
    unit: 'F',
    weather: () => ({
      temperatureC: 12,
      pressureHpa: 1010,
      cloudCoverPct: 0,
      rainMmH: 0,
      snowMmH: 0,
      windSpeedMs: 0,
      windDirectionDeg: 0,
      ...weather,
    }),
  });
}

/** The guide's details, cut out of real renders: what the renderer draws for that weather. */
export const GUIDE_CROPS = {
  /** The house, its smoke lying flat in low pressure. */
  'smoke-low': () => houseCrop(steady({ pressureHpa: 995 })),
  /** ... and rising straight in high pressure. */
  'smoke-high': () => houseCrop(steady({ pressureHpa: 1030 })),
  /** Heavy rain (4 mm/h) under a full cloud bank. */
  rain: () => skyCrop(steady({ rainMmH: 4, cloudCoverPct: 95 })),
  /** Snow (1 mm/h water equivalent) below freezing. */
  snow: () => skyCrop(steady({ snowMmH: 1, cloudCoverPct: 95, temperatureC: -5 })),
  /** A stretch of the example's ground line with its printed minimum. */
  temperature: () => {
    const scene = renderScene(EXAMPLE_FORECAST);
    const label = scene.labels.find((l) => l.kind === 'min') ?? scene.labels[0];
    const x = Math.max(0, Math.min(296 - 96, label.atX - 48));
    const top = Math.max(0, Math.min(...Array.from(scene.groundY.slice(x, x + 96))) - 24);
    return crop(scene, x, top, 96, Math.min(128 - top, label.y + 8 - top), 3);
  },
} as const;
export type GuideCrop = keyof typeof GUIDE_CROPS;
export const GUIDE_CROP_NAMES = Object.keys(GUIDE_CROPS) as GuideCrop[];
export function isGuideCrop(name: string): name is GuideCrop {
  return Object.hasOwn(GUIDE_CROPS, name);
}

function houseCrop(forecast: Forecast): Uint8Array {
  const scene = renderScene(forecast);
  const ground = scene.groundY[4];
  const top = Math.max(0, ground - SPRITES.house.height - 22);
  return crop(scene, 0, top, 46, ground + 3 - top, 3);
}

function skyCrop(forecast: Forecast): Uint8Array {
  const scene = renderScene(forecast);
  // A stretch of sky without the sun or moon in it, so the picture shows only what it is about.
  const bodies = [...scene.sunX, ...scene.moonX];
  const x = [60, 90, 120, 150, 180, 210].find((x0) => bodies.every((b) => b < x0 - 8 || b > x0 + 68)) ?? 120;
  const bottom = Math.min(...Array.from(scene.groundY.slice(x, x + 60)));
  return crop(scene, x, 0, 60, Math.min(128, bottom + 2), 3);
}

export function guideCropPng(name: GuideCrop): Uint8Array {
  return once(`crop:${name}`, GUIDE_CROPS[name]);
}

/** The house sprite on white paper, 48×48: our favicon. */
export function faviconPng(): Uint8Array {
  return once('favicon', () => {
    const house = SPRITES.house;
    const canvas = new Canvas(24, 24);
    drawSprite(canvas, house, (24 - house.width) >> 1, (24 - house.height) >> 1);
    return encodeIndexedPng(canvas, THEMES.light, { scale: 2 });
  });
}

/**
 * The same PNG in an ICO container (one image, PNG-compressed, which every current browser reads),
 * for clients that ask for /favicon.ico without reading our <link rel=icon>.
 */
export function faviconIco(): Uint8Array {
  return once('favicon.ico', () => {
    const png = faviconPng();
    const header = new Uint8Array(22);
    const view = new DataView(header.buffer);
    view.setUint16(2, 1, true); // type: icon
    view.setUint16(4, 1, true); // one image
    header[6] = 48; // width
    header[7] = 48; // height
    view.setUint16(10, 1, true); // colour planes
    view.setUint16(12, 32, true); // bits per pixel
    view.setUint32(14, png.byteLength, true);
    view.setUint32(18, 22, true); // offset of the image data
    const ico = new Uint8Array(22 + png.byteLength);
    ico.set(header);
    ico.set(png, 22);
    return ico;
  });
}
