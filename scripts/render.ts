/**
 * Render landscapes from the command line.
 *
 *   npm run render -- --fixture austin-summer-clear --format rgb_light --out /tmp/austin.png
 *   npm run render -- --forecast my-forecast.json --format eink --out /tmp/eink.bmp
 *   npm run render -- --all --out-dir /tmp/landscapes      (every fixture × every format)
 *   npm run render -- --list                               (fixture names)
 *
 * Options: --seed <text> overrides the seed; --scale <n> enlarges PNG formats n× for viewing
 * (served images are always 1×).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Forecast } from '../src/domain/forecast';
import { FORMAT_NAMES, FORMATS, isFormatName, type FormatName } from '../src/domain/formats';
import { renderLandscape, renderScene, renderScenePng } from '../src/render/index';
import { FIXTURE_NAMES, FIXTURES } from '../test/fixtures/forecasts';

const USAGE = `usage:
  npm run render -- --fixture <name> | --forecast <file.json>  --format <${FORMAT_NAMES.join('|')}>  --out <file>
  npm run render -- --all --out-dir <dir>
  npm run render -- --list
options: --seed <text>  --scale <n> (PNG only)`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function render(forecast: Forecast, format: FormatName, seed: string | undefined, scale: number): Uint8Array {
  if (scale > 1 && FORMATS[format].ext === 'png') {
    return renderScenePng(renderScene(forecast, { seed }), format === 'rgb_dark' ? 'dark' : 'light', scale);
  }
  return renderLandscape(forecast, format, { seed }).bytes;
}

function write(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  console.log(`${path}  ${bytes.length} bytes`);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      fixture: { type: 'string' },
      forecast: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      all: { type: 'boolean' },
      'out-dir': { type: 'string' },
      seed: { type: 'string' },
      scale: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.list) {
    console.log(FIXTURE_NAMES.join('\n'));
    return;
  }
  const scale = values.scale === undefined ? 1 : Number(values.scale);
  if (!Number.isInteger(scale) || scale < 1 || scale > 16) fail('--scale must be an integer from 1 to 16');

  if (values.all) {
    const dir = values['out-dir'] ?? fail('--all needs --out-dir');
    for (const name of FIXTURE_NAMES) {
      for (const format of FORMAT_NAMES) {
        write(join(dir, `${name}.${format}.${FORMATS[format].ext}`), render(FIXTURES[name], format, values.seed, scale));
      }
    }
    return;
  }

  let forecast: Forecast;
  if (values.forecast) {
    const parsed = Forecast.safeParse(JSON.parse(readFileSync(values.forecast, 'utf8')));
    if (!parsed.success) fail(`${values.forecast} is not a valid forecast:\n${parsed.error.message}`);
    forecast = parsed.data;
  } else if (values.fixture) {
    forecast = FIXTURES[values.fixture] ?? fail(`unknown fixture "${values.fixture}"; known: ${FIXTURE_NAMES.join(', ')}`);
  } else {
    fail('give --fixture, --forecast, --all or --list');
  }
  const format = values.format ?? 'rgb_light';
  if (!isFormatName(format)) fail(`unknown format "${format}"`);
  const out = values.out ?? fail('--out is required');
  write(out, render(forecast, format, values.seed, scale));
}

main();
