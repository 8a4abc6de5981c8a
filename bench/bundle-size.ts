import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Bundler } from './lib/bundles';
import { WORKERS } from './lib/paths';
import { sum } from './lib/stats';
import { fmtBytes, type FigureResult, type Row } from './table';

/**
 * Figure 6: what each worker uploads, from `wrangler deploy --dry-run --outdir` (source maps
 * excluded; they are not uploaded as code). Gzip is node:zlib at its default level, close to
 * the "gzip:" figure wrangler prints and to what Cloudflare's size limit counts.
 */
const TARGET_GZIP_BYTES = 1024 * 1024;

export async function benchBundleSize(bundler: Bundler): Promise<FigureResult> {
  const raw = [];
  for (const worker of WORKERS) {
    const bundle = await bundler.worker(worker);
    const contents = bundle.files.map((f) => readFileSync(f.path));
    raw.push({
      worker,
      name: bundle.config.name,
      files: bundle.files.map((f) => f.path.replace(/^.*\//, '')),
      rawBytes: sum(contents.map((c) => c.byteLength)),
      gzipBytes: sum(contents.map((c) => gzipSync(c).byteLength)),
    });
  }
  const rows: Row[] = raw.map((r) => ({
    figure: `bundle size: ${r.worker}`,
    measured: `${fmtBytes(r.rawBytes)} raw, ${fmtBytes(r.gzipBytes)} gzip`,
    target: '≤ 1 MiB gzip',
    met: r.gzipBytes <= TARGET_GZIP_BYTES,
    how: 'Node: wrangler deploy --dry-run --outdir, node:zlib gzip',
  }));
  return { rows, raw };
}
