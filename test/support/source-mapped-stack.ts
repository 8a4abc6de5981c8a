/**
 * Maps the frames of a stack trace recorded inside a local worker (`exception.stacktrace` on our
 * spans) from wrangler dev's bundle back to the source files, in Node, with Node's own source map
 * reader. Inside workerd the stack points into the bundle
 * (`file:///…/.wrangler/local-…/.wrangler/tmp/dev-…/fetcher.js:33179:13`): wrangler dev writes the
 * bundle's `.map` next to it, for as long as the stack runs (scripts/start.mjs removes the
 * directory on exit). Frames whose bundle or map is gone, or that map to nothing, stay as they are.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const FRAME = /(file:\/\/[^\s()]+?\.m?js):(\d+):(\d+)/g;

/** Returns `stack` with each mappable bundle frame replaced by `src/…ts:line:column` (relative to `root`). */
export function sourceMappedStack(stack: string, root: string): string {
  const maps = new Map<string, SourceMap | undefined>();
  return stack.replace(FRAME, (frame, url: string, line: string, column: string) => {
    const bundle = fileURLToPath(url);
    if (!maps.has(bundle)) maps.set(bundle, readMap(`${bundle}.map`));
    // 0-based, as Node's own --enable-source-maps looks frames up (findOrigin lands a few columns off on calls).
    const entry = maps.get(bundle)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry)) return frame;
    const source = resolve(dirname(bundle), entry.originalSource.replace(/^file:\/\//, ''));
    return `${relative(root, source)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

function readMap(path: string): SourceMap | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as SourceMapPayload);
  } catch {
    return undefined; // a map being rewritten by wrangler's reload: the frame stays as it is
  }
}
