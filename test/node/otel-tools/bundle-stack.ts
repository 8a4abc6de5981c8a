import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The stack of an Error thrown in a real esbuild bundle (ESM, linked source map unless `withMap` is
 * false: built the way wrangler dev builds a worker), made in `dir` from `entry.ts` and
 * `src/weather.ts`. The error is thrown at src/weather.ts:3:9, called from entry.ts:4:5.
 * `nodeMapped`: as Node itself maps it (--enable-source-maps), a reference for the mapping.
 */
export async function stackOfBundle(dir: string, withMap: boolean, nodeMapped = false): Promise<string> {
  writeFileSync(
    join(dir, 'entry.ts'),
    `import { fail } from './src/weather';\nexport function run(): string {\n  try {\n    fail();\n  } catch (error) {\n    return (error as Error).stack!;\n  }\n  return '';\n}\n`,
  );
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(
    join(dir, 'src', 'weather.ts'),
    `export function fail(): never {\n  const reason: string = 'stub fault';\n  throw new Error(\`open-meteo: \${reason}\`);\n}\n`,
  );
  const outfile = join(dir, 'out', withMap ? 'with-map.js' : 'without-map.js');
  await build({ entryPoints: [join(dir, 'entry.ts')], bundle: true, format: 'esm', outfile, sourcemap: withMap ? 'linked' : false, logLevel: 'silent' });
  // In a plain Node process (vitest's module runner would rewrite the stack): file:// frames, as in workerd.
  const script = `import { run } from ${JSON.stringify(pathToFileURL(outfile).href)}; process.stdout.write(run());`;
  return execFileSync(process.execPath, [...(nodeMapped ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script], { encoding: 'utf8' });
}
