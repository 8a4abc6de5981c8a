import type { Forecast } from '../domain/forecast';
import { Canvas } from './canvas';
import { drawSprite, drawSpriteOnGround, drawText, TEXT_HEIGHT, textWidth } from './draw';
import { cloudSizeForCover, rainDashCount, smokeAngleForPressure, snowDotCount, speciesForDirection, treeSizeForWind } from './encodings';
import { displayTemperature, hourSlots, temperatureColumns, type HourSlot } from './forecast-series';
import { localNoonsAndMidnights } from './local-time';
import { BACKGROUND, INK, PRECIPITATION, SOIL } from './palette';
import { randomInt, streamFor } from './prng';
import { cloudSprite, SPRITES, treeSprite, type Sprite, type TreeSize, type TreeSpecies } from './sprites';
import { sunEvents } from './sun';
import { HOUR_MS, IMAGE_HEIGHT, IMAGE_WIDTH, NOW_ZONE_PX, WINDOW_MS, xForTime } from './time-axis';

/*
 * Vertical layout, top to bottom: clouds (from CLOUD_TOP), sun and moon (SUN_TOP), then the
 * ground line, which moves between GROUND_Y_WARM (the warmest temperature shown) and GROUND_Y_COLD
 * (the coldest), leaving room above for the tallest tree and the house, and below for the digits.
 */
export const CLOUD_TOP = 1;
export const SUN_TOP = 13;
export const GROUND_Y_WARM = 48;
export const GROUND_Y_COLD = 106;
/** A day whose temperatures vary less than this (°C) is drawn flatter rather than exaggerated. */
export const MIN_TEMPERATURE_SPAN_C = 6;
/** The house's left edge, and where its chimney opens (offsets inside the house sprite). */
export const HOUSE_X = 4;
const CHIMNEY_DX = 17;
/** Trees stand every TREE_SPACING_H hours, the first one TREE_FIRST_H after now. */
const TREE_SPACING_H = 2;
const TREE_FIRST_H = 1;
const TREE_CLEARANCE_PX = 7;
const RAIN_DASH_PX = 3;
const SOIL_DEPTH_PX = 12;
/** An extreme this close to the house with the same value as "now" is not labelled again. */
const REPEAT_LABEL_PX = 12;

export interface TreePlacement {
  x: number;
  baseY: number;
  species: TreeSpecies;
  size: TreeSize;
}

export interface Label {
  kind: 'now' | 'min' | 'max';
  text: string;
  /** Top-left corner of the text. */
  x: number;
  y: number;
  /** The column the value belongs to. */
  atX: number;
}

export interface Scene {
  canvas: Canvas;
  seed: string;
  nowMs: number;
  /** y of the ground line in every column. */
  groundY: Int16Array;
  /** The temperatures (°C) mapped to GROUND_Y_COLD and GROUND_Y_WARM. */
  temperatureScale: { coldC: number; warmC: number };
  /** x of each sun (sunrise) and moon (sunset) drawn. */
  sunX: number[];
  moonX: number[];
  /** x of each noon and midnight flower drawn. */
  noonX: number[];
  midnightX: number[];
  trees: TreePlacement[];
  labels: Label[];
  smokeAngleDeg: number;
  slots: HourSlot[];
}

export interface SceneOptions {
  seed?: string;
}

/** The default seed: the same place and the same forecast time always give the same picture. */
export function defaultSeed(forecast: Forecast): string {
  const { zip, lat, lon } = forecast.location;
  return `${zip ?? ''}|${lat}|${lon}|${forecast.now}`;
}

/** Draws the landscape for a forecast into an indexed canvas (no encoding). */
export function renderScene(forecast: Forecast, options: SceneOptions = {}): Scene {
  const seed = options.seed ?? defaultSeed(forecast);
  const nowMs = Date.parse(forecast.now);
  if (!Number.isFinite(nowMs)) throw new Error(`forecast.now is not a valid instant: ${forecast.now}`);
  const endMs = nowMs + WINDOW_MS;
  const canvas = new Canvas(IMAGE_WIDTH, IMAGE_HEIGHT, BACKGROUND);
  const slots = hourSlots(forecast, nowMs);

  const temps = temperatureColumns(forecast, nowMs);
  const temperatureScale = scaleFor(temps);
  const groundY = groundLine(temps, temperatureScale);

  const { lat, lon, timezone, utcOffsetSeconds } = forecast.location;
  const sun = sunEvents(lat, lon, nowMs, endMs);
  const marks = localNoonsAndMidnights(timezone, utcOffsetSeconds, nowMs, endMs);
  // Floor: an event in [now, now + 24 h) lands on a column in [32, 296).
  const toX = (ms: number) => Math.floor(xForTime(nowMs, ms));
  const sunX = sun.sunrises.map(toX);
  const moonX = sun.sunsets.map(toX);
  const noonX = marks.noons.map(toX);
  const midnightX = marks.midnights.map(toX);

  // Back to front: soil, sky bodies, clouds, precipitation, then what stands on the ground.
  drawSoil(canvas, groundY, seed);
  drawGround(canvas, groundY);
  for (const x of sunX) drawSprite(canvas, SPRITES.sun, x - (SPRITES.sun.width >> 1), SUN_TOP);
  for (const x of moonX) drawSprite(canvas, SPRITES.moon, x - (SPRITES.moon.width >> 1), SUN_TOP + 2);
  const cloudBottoms = drawClouds(canvas, slots, nowMs, seed);
  drawPrecipitation(canvas, slots, groundY, cloudBottoms, seed);

  const houseTop = groundY[HOUSE_X] - SPRITES.house.height + 1;
  drawSprite(canvas, SPRITES.house, HOUSE_X, houseTop);
  const smokeAngleDeg = smokeAngleForPressure(forecast.current.pressureHpa);
  drawSmoke(canvas, HOUSE_X + CHIMNEY_DX, houseTop - 1, smokeAngleDeg);

  for (const x of noonX) drawSpriteOnGround(canvas, SPRITES['flower-noon'], x, groundY[clampX(x)] - 1);
  for (const x of midnightX) drawSpriteOnGround(canvas, SPRITES['flower-midnight'], x, groundY[clampX(x)] - 1);
  const trees = placeTrees(slots, groundY, nowMs, [...noonX, ...midnightX], seed);
  for (const tree of trees) drawSpriteOnGround(canvas, treeSprite(tree.species, tree.size), tree.x, tree.baseY);

  const labels = placeLabels(forecast, temps, groundY);
  for (const label of labels) drawText(canvas, label.text, label.x, label.y, INK);

  return {
    canvas,
    seed,
    nowMs,
    groundY,
    temperatureScale,
    sunX,
    moonX,
    noonX,
    midnightX,
    trees,
    labels,
    smokeAngleDeg,
    slots,
  };
}

function clampX(x: number): number {
  return Math.min(IMAGE_WIDTH - 1, Math.max(0, x));
}

function scaleFor(temps: Float64Array): { coldC: number; warmC: number } {
  let coldC = Infinity;
  let warmC = -Infinity;
  for (const t of temps) {
    if (t < coldC) coldC = t;
    if (t > warmC) warmC = t;
  }
  if (warmC - coldC < MIN_TEMPERATURE_SPAN_C) {
    const middle = (warmC + coldC) / 2;
    coldC = middle - MIN_TEMPERATURE_SPAN_C / 2;
    warmC = middle + MIN_TEMPERATURE_SPAN_C / 2;
  }
  return { coldC, warmC };
}

function groundLine(temps: Float64Array, scale: { coldC: number; warmC: number }): Int16Array {
  const groundY = new Int16Array(IMAGE_WIDTH);
  const span = GROUND_Y_COLD - GROUND_Y_WARM;
  for (let x = 0; x < IMAGE_WIDTH; x++) {
    const k = (temps[x] - scale.coldC) / (scale.warmC - scale.coldC);
    groundY[x] = Math.round(GROUND_Y_COLD - k * span);
  }
  return groundY;
}

/** The ground line, with vertical runs where it climbs or drops so it never breaks. */
function drawGround(canvas: Canvas, groundY: Int16Array): void {
  for (let x = 0; x < IMAGE_WIDTH; x++) {
    const y = groundY[x];
    const previous = x === 0 ? y : groundY[x - 1];
    if (y > previous + 1) canvas.vline(x, previous + 1, y, INK);
    else if (y < previous - 1) canvas.vline(x, y, previous - 1, INK);
    else canvas.set(x, y, INK);
  }
}

/** A sparse brown stipple under the ground line, thinning with depth. */
function drawSoil(canvas: Canvas, groundY: Int16Array, seed: string): void {
  const random = streamFor(seed, 'soil');
  for (let x = 0; x < IMAGE_WIDTH; x++) {
    const top = groundY[x];
    for (let d = 2; d < SOIL_DEPTH_PX; d++) {
      const fade = 1 - d / SOIL_DEPTH_PX;
      if (random() < 0.45 * fade * fade) canvas.set(x, top + d, SOIL);
    }
  }
}

/** One cloud per forecast hour, sized by its cover; returns the lowest cloud row per hour. */
function drawClouds(canvas: Canvas, slots: readonly HourSlot[], nowMs: number, seed: string): number[] {
  const bottoms: number[] = [];
  slots.forEach((slot, i) => {
    const size = cloudSizeForCover(slot.point.cloudCoverPct);
    if (size === 0) {
      bottoms.push(CLOUD_TOP);
      return;
    }
    const random = streamFor(seed, 'cloud', i);
    const sprite = cloudSprite(size);
    const cx = Math.round(xForTime(nowMs, (slot.startMs + slot.endMs) / 2)) + randomInt(random, -1, 1);
    // Small clouds float at varying heights; the big ones hang from the top as a bank.
    const y = CLOUD_TOP + (size >= 4 ? randomInt(random, 0, 1) : randomInt(random, 0, 6 - size));
    drawSprite(canvas, sprite, cx - (sprite.width >> 1), y);
    bottoms.push(y + sprite.height);
  });
  return bottoms;
}

/** Rain as falling dashes and snow as dots, strictly inside each hour's own columns. */
function drawPrecipitation(canvas: Canvas, slots: readonly HourSlot[], groundY: Int16Array, cloudBottoms: readonly number[], seed: string): void {
  slots.forEach((slot, i) => {
    const { x0, x1 } = slot;
    // A partly visible hour gets its share of the drops.
    const share = (x1 - x0) / 11;
    const top = Math.max(cloudBottoms[i] + 1, CLOUD_TOP + 4);
    const dashes = Math.ceil(rainDashCount(slot.point.rainMmH) * share);
    const rainRandom = streamFor(seed, 'rain', i);
    for (let n = 0; n < dashes; n++) {
      const x = randomInt(rainRandom, x0, x1 - 1);
      const lowest = groundY[x] - 2 - (RAIN_DASH_PX - 1);
      if (lowest < top) continue;
      const y = randomInt(rainRandom, top, lowest);
      canvas.vline(x, y, y + RAIN_DASH_PX - 1, PRECIPITATION);
    }
    const dots = Math.ceil(snowDotCount(slot.point.snowMmH) * share);
    const snowRandom = streamFor(seed, 'snow', i);
    for (let n = 0; n < dots; n++) {
      const x = randomInt(snowRandom, x0, x1 - 1);
      const lowest = groundY[x] - 2;
      if (lowest < top) continue;
      canvas.set(x, randomInt(snowRandom, top, lowest), PRECIPITATION);
    }
  });
}

/** Puffs of growing size along the pressure's angle: straight up when high, flat when low. */
function drawSmoke(canvas: Canvas, x0: number, y0: number, angleDeg: number): void {
  const a = (angleDeg * Math.PI) / 180;
  const dx = Math.cos(a);
  const dy = -Math.sin(a);
  const puffs: Sprite[] = [SPRITES['smoke-1'], SPRITES['smoke-2'], SPRITES['smoke-3'], SPRITES['smoke-4']];
  let distance = 0;
  let previousWidth = 0;
  puffs.forEach((puff, i) => {
    distance += (previousWidth + puff.width) / 2 + 1;
    previousWidth = puff.width;
    // A gentle sideways sway so the plume does not look ruled.
    const sway = [0, 0.8, -0.6, 1.2][i];
    const cx = x0 + dx * distance - dy * sway;
    const cy = y0 + dy * distance + dx * sway;
    drawSprite(canvas, puff, Math.round(cx - puff.width / 2 + 0.5), Math.round(cy - puff.height / 2 + 0.5));
  });
}

function slotAtTime(slots: readonly HourSlot[], ms: number): HourSlot | undefined {
  for (const slot of slots) if (ms >= slot.startMs && ms < slot.endMs) return slot;
  return undefined;
}

function placeTrees(slots: readonly HourSlot[], groundY: Int16Array, nowMs: number, flowerX: readonly number[], seed: string): TreePlacement[] {
  const trees: TreePlacement[] = [];
  for (let j = 0; TREE_FIRST_H + j * TREE_SPACING_H < 24; j++) {
    const ms = nowMs + (TREE_FIRST_H + j * TREE_SPACING_H) * HOUR_MS;
    const slot = slotAtTime(slots, ms);
    if (!slot) continue;
    const size = treeSizeForWind(slot.point.windSpeedMs);
    if (size === 0) continue;
    const random = streamFor(seed, 'tree', j);
    const x = Math.round(xForTime(nowMs, ms)) + randomInt(random, -2, 2);
    if (flowerX.some((fx) => Math.abs(fx - x) < TREE_CLEARANCE_PX)) continue;
    // Mixed directions alternate between the two neighbouring species.
    const species = speciesForDirection(slot.point.windDirectionDeg)[j % 2];
    trees.push({ x, baseY: groundY[clampX(x)] - 1, species, size });
  }
  return trees;
}

function placeLabels(forecast: Forecast, temps: Float64Array, groundY: Int16Array): Label[] {
  const unit = forecast.unit;
  const labels: Label[] = [];
  const houseCentre = HOUSE_X + (SPRITES.house.width >> 1);
  labels.push(labelAt('now', `${displayTemperature(forecast.current.temperatureC, unit)}°`, houseCentre, groundY, 0));

  let minX = NOW_ZONE_PX;
  let maxX = NOW_ZONE_PX;
  for (let x = NOW_ZONE_PX + 1; x < IMAGE_WIDTH; x++) {
    if (temps[x] < temps[minX]) minX = x;
    if (temps[x] > temps[maxX]) maxX = x;
  }
  const maxText = `${displayTemperature(temps[maxX], unit)}°`;
  const minText = `${displayTemperature(temps[minX], unit)}°`;
  const max = labelAt('max', maxText, maxX, groundY, NOW_ZONE_PX + 2);
  // An extreme right at the start repeats the house's own label: say it once.
  const repeatsNow = (text: string, x: number) => text === labels[0].text && x < NOW_ZONE_PX + REPEAT_LABEL_PX;
  if (!repeatsNow(maxText, maxX)) labels.push(max);
  if (minText !== maxText && !repeatsNow(minText, minX)) {
    const min = labelAt('min', minText, minX, groundY, NOW_ZONE_PX + 2);
    if (overlaps(min, max)) min.x = max.x + textWidth(max.text) + 4;
    labels.push(min);
  }
  return labels;
}

/** A label centred under column atX, just below the lowest point of the ground it spans. */
function labelAt(kind: Label['kind'], text: string, atX: number, groundY: Int16Array, minLeft: number): Label {
  const width = textWidth(text);
  const x = Math.min(IMAGE_WIDTH - width - 1, Math.max(minLeft, atX - (width >> 1)));
  let lowest = 0;
  for (let i = Math.max(0, x - 1); i <= Math.min(IMAGE_WIDTH - 1, x + width); i++) lowest = Math.max(lowest, groundY[i]);
  const y = Math.min(IMAGE_HEIGHT - TEXT_HEIGHT - 1, lowest + 3);
  return { kind, text, x, y, atX };
}

function overlaps(a: Label, b: Label): boolean {
  const aw = textWidth(a.text);
  const bw = textWidth(b.text);
  return a.x <= b.x + bw + 1 && b.x <= a.x + aw + 1 && a.y <= b.y + TEXT_HEIGHT + 1 && b.y <= a.y + TEXT_HEIGHT + 1;
}
