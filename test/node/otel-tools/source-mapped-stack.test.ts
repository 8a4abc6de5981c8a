import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceMappedStack } from '../../support/source-mapped-stack';
import { stackOfBundle } from './bundle-stack';

const dir = mkdtempSync(join(tmpdir(), 'mapped-stack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sourceMappedStack', () => {
  it("maps a bundle's frames to the source files, relative to the root", async () => {
    const stack = await stackOfBundle(dir, true);
    expect(stack).toMatch(/at fail \(file:\/\/.*with-map\.js:\d+:\d+\)/);
    const mapped = sourceMappedStack(stack, dir);
    expect(mapped.split('\n').slice(0, 3)).toEqual(['Error: open-meteo: stub fault', '    at fail (src/weather.ts:3:9)', '    at run (entry.ts:4:5)']);
    // The same places Node's own source map support finds.
    const reference = (await stackOfBundle(dir, true, true)).replaceAll(`${dir}/`, '');
    expect(mapped.split('\n').slice(0, 3)).toEqual(reference.split('\n').slice(0, 3));
  });

  it('leaves frames as they are when the map is gone (the stack has stopped)', async () => {
    const stack = await stackOfBundle(dir, false);
    expect(sourceMappedStack(stack, dir)).toBe(stack);
  });
});
