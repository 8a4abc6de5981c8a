import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { MAX_RETRIES } from '../../../src/queue/retry-policy';
import { QUEUES } from '../../../src/queue/queues';
import { SERVICE_NAMES } from '../../../src/tracing/service-names';

const run = promisify(execFile);
const WORKERS = ['web', 'fetcher', 'dispatcher', 'generator'] as const;

/**
 * What the test reads of wrangler's own config reader: its declared `Config` type comes from
 * @cloudflare/workers-utils, which wrangler bundles but does not install, so it does not resolve.
 */
interface DeployedConfig {
  upload_source_maps?: boolean;
  compatibility_date?: string;
  observability?: unknown;
}

interface WranglerToml {
  name: string;
  main: string;
  compatibility_flags?: string[];
  queues?: {
    consumers?: Array<{ queue: string; max_retries: number; dead_letter_queue?: string; max_batch_size: number; max_batch_timeout: number }>;
    producers?: Array<{ binding: string; queue: string }>;
  };
}

const config = (w: string) => parse(readFileSync(`wrangler.${w}.toml`, 'utf8')) as unknown as WranglerToml;

describe('wrangler configs', () => {
  it('name each worker by its service name and enable nodejs_compat', () => {
    for (const w of WORKERS) {
      expect(config(w).name).toBe(SERVICE_NAMES[w]);
      expect(config(w).compatibility_flags).toContain('nodejs_compat');
    }
  });

  it('give every consumer its own dead-letter queue, the retry count the code expects, and a DEAD_LETTERS producer for it', () => {
    const all = WORKERS.flatMap((w) => (config(w).queues?.consumers ?? []).map((c) => ({ w, c })));
    const consumed = all.filter(({ c }) => !c.queue.endsWith('-dlq'));
    expect(consumed.map(({ c }) => c.queue).sort()).toEqual(Object.keys(QUEUES).sort());
    // The web worker records every dead-letter queue's messages.
    expect(
      all
        .filter(({ c }) => c.queue.endsWith('-dlq'))
        .map(({ w, c }) => `${w}:${c.queue}`)
        .sort(),
    ).toEqual(
      Object.keys(QUEUES)
        .map((q) => `web:${q}-dlq`)
        .sort(),
    );
    for (const { w, c } of consumed) {
      expect(c.max_retries).toBe(MAX_RETRIES);
      expect(c.dead_letter_queue).toBe(`${c.queue}-dlq`);
      expect(config(w).queues?.producers).toContainEqual({ binding: 'DEAD_LETTERS', queue: `${c.queue}-dlq` });
    }
  });

  it('bind each producer under the name the shared producer module uses', () => {
    for (const w of WORKERS) {
      for (const p of config(w).queues?.producers ?? []) {
        if (p.binding === 'DEAD_LETTERS') continue;
        expect(p.queue.endsWith('-dlq')).toBe(false);
        expect(QUEUES[p.queue as keyof typeof QUEUES]?.binding).toBe(p.binding);
      }
    }
  });
});

describe('wrangler deploy --dry-run', () => {
  it.each(WORKERS)(
    'bundles the %s worker with its source map, Workers Logs and traces on',
    async (w) => {
      const outdir = mkdtempSync(join(tmpdir(), `dry-${w}-`));
      await run('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir, '-c', `wrangler.${w}.toml`], {
        env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
        timeout: 120_000,
      });
      const bundle = join(outdir, `${w}.js`);
      expect(existsSync(bundle)).toBe(true);
      expect(statSync(bundle).size).toBeGreaterThan(1000);
      // upload_source_maps: the map wrangler uploads beside the bundle, pointing into src/.
      const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
      expect(map.sources.some((source) => source.endsWith(`src/workers/${w}.ts`))).toBe(true);
      // The dry run prints no upload metadata: read the config the way wrangler deploy does (its own
      // reader, defaults applied), which is what it puts in the upload's `observability` field.
      const deployed: DeployedConfig = unstable_readConfig({ config: `wrangler.${w}.toml` });
      expect(deployed.upload_source_maps).toBe(true);
      expect((deployed.compatibility_date ?? '') >= '2026-11-01').toBe(true);
      expect(deployed.observability).toMatchObject({
        enabled: true,
        logs: { enabled: true, head_sampling_rate: expect.any(Number), invocation_logs: true },
        traces: { enabled: true, head_sampling_rate: expect.any(Number) },
      });
    },
    120_000,
  );
});
