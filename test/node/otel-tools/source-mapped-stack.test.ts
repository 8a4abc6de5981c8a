import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceMappedStack } from '../../support/source-mapped-stack';

// A real bundle with its source map, built the way wrangler dev builds a worker (esbuild, ESM, linked map).
const dir = mkdtempSync(join(tmpdir(), 'mapped-stack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The stack of an error thrown in a bundle; `nodeMapped`: as Node itself maps it (--enable-source-maps), the reference. */
async function stackOfBundle(withMap: boolean, nodeMapped = false): Promise<string> {
  const src = join(dir, 'src');
  writeFileSync(join(dir, 'entry.ts'), `import { fail } from './src/weather';\nexport function run(): string {\n  try {\n    fail();\n  } catch (error) {\n    return (error as Error).stack!;\n  }\n  return '';\n}\n`);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'weather.ts'), `export function fail(): never {\n  const reason: string = 'stub fault';\n  throw new Error(\`open-meteo: \${reason}\`);\n}\n`);
  const outfile = join(dir, 'out', withMap ? 'with-map.js' : 'without-map.js');
  await build({ entryPoints: [join(dir, 'entry.ts')], bundle: true, format: 'esm', outfile, sourcemap: withMap ? 'linked' : false, logLevel: 'silent' });
  // In a plain Node process (vitest's module runner would rewrite the stack): file:// frames, as in workerd.
  const script = `import { run } from ${JSON.stringify(pathToFileURL(outfile).href)}; process.stdout.write(run());`;
  return execFileSync(process.execPath, [...(nodeMapped ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script], { encoding: 'utf8' });
}

describe('sourceMappedStack', () => {
  it("maps a bundle's frames to the source files, relative to the root", async () => {
    const stack = await stackOfBundle(true);
    expect(stack).toMatch(/at fail \(file:\/\/.*with-map\.js:\d+:\d+\)/);
    const mapped = sourceMappedStack(stack, dir);
    expect(mapped.split('\n').slice(0, 3)).toEqual(['Error: open-meteo: stub fault', '    at fail (src/weather.ts:3:9)', '    at run (entry.ts:4:5)']);
    // The same places Node's own source map support finds.
    const reference = (await stackOfBundle(true, true)).replaceAll(`${dir}/`, '');
    expect(mapped.split('\n').slice(0, 3)).toEqual(reference.split('\n').slice(0, 3));
  });

  it('leaves frames as they are when the map is gone (the stack has stopped)', async () => {
    const stack = await stackOfBundle(false);
    expect(sourceMappedStack(stack, dir)).toBe(stack);
  });
});
