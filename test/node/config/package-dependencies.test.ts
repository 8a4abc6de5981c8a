import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : /\.tsx?$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

/** Test helpers under src/ (src/otel's testing entry): run by vitest in Node, never bundled into a worker. */
const TEST_ONLY = join(ROOT, 'src', 'otel', 'testing');

/** The packages whose code src/ loads at run time: `import … from 'pkg'`, not `import type`, not runtime modules. */
function runtimePackages(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(join(ROOT, 'src')).filter((f) => !f.startsWith(TEST_ONLY))) {
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/^import (?!type )[^;]*? from '([^'.][^']*)';/gms)) {
      if (/^(node|cloudflare):/.test(specifier)) continue;
      const parts = specifier.split('/');
      found.set(parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0], file.slice(ROOT.length + 1));
    }
  }
  return found;
}

describe('package.json', () => {
  it('lists every package the workers bundle in dependencies, not devDependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const packages = runtimePackages();
    expect(packages.size).toBeGreaterThan(5);
    const missing = [...packages].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing).toEqual([]);
  });
});
