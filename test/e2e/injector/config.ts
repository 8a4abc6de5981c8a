import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'smol-toml';

const ROOT = resolve(import.meta.dirname, '../../..');

/**
 * Writes the injector's wrangler config into a stack's config directory (test/e2e/stack.ts
 * `firstWorker`): producers for the three pipeline queues, a service binding to the web worker;
 * the web worker's compatibility settings.
 */
export function writeInjectorConfig(configDir: string): string {
  const web = parse(readFileSync(join(ROOT, 'wrangler.web.toml'), 'utf8')) as { compatibility_date: string; compatibility_flags?: string[] };
  const config = {
    name: 'weather-landscape-injector',
    main: join(ROOT, 'test', 'e2e', 'injector', 'worker.ts'),
    compatibility_date: web.compatibility_date,
    compatibility_flags: web.compatibility_flags ?? [],
    queues: {
      producers: [
        { binding: 'FETCH_JOBS', queue: 'fetch-jobs' },
        { binding: 'WEATHER_READY', queue: 'weather-ready' },
        { binding: 'LANDSCAPE_JOBS', queue: 'landscape-jobs' },
      ],
    },
    services: [{ binding: 'WEB', service: 'weather-landscape-web' }],
  };
  const path = join(configDir, 'wrangler.injector.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}
