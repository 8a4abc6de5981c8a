import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { readWorkerConfig, tomlPath, type WorkerConfig } from './worker-config';
import { ROOT, type WorkerName } from './paths';

const run = promisify(execFile);

export interface Bundle {
  /** A worker name, or a variant's name. */
  name: string;
  dir: string;
  /** The bundled entry module (ES module). */
  mainPath: string;
  /** The deployable files (source maps and wrangler's README excluded). */
  files: Array<{ path: string; bytes: number }>;
  config: WorkerConfig;
}

/**
 * Builds workers exactly as `wrangler deploy` would, with `--dry-run --outdir`, into a temporary
 * directory; each bundle is built once per bench run and shared by the figures that need it.
 */
export class Bundler {
  private readonly builds = new Map<string, Promise<Bundle>>();

  /** `root`: the repository whose workers are built (default this one; bench/ab.ts builds a checkout of another commit too). */
  constructor(
    private readonly tmpRoot: string,
    private readonly root = ROOT,
  ) {}

  worker(worker: WorkerName): Promise<Bundle> {
    return this.memo(worker, () => this.build(worker, tomlPath(worker, this.root), readWorkerConfig(worker, this.root)));
  }

  /**
   * The same worker configuration with another entry module. The temporary config lives in the
   * tmp dir (never the repo root); `main` is absolute so the entry's imports resolve from the repo.
   */
  variant(name: string, base: WorkerName, entry: string): Promise<Bundle> {
    return this.memo(name, () => {
      const config: WorkerConfig = { ...readWorkerConfig(base, this.root), main: resolve(this.root, entry) };
      const dir = join(this.tmpRoot, 'configs');
      mkdirSync(dir, { recursive: true });
      const configPath = join(dir, `wrangler.${name}.json`);
      writeFileSync(configPath, JSON.stringify(config, null, 2));
      return this.build(name, configPath, config);
    });
  }

  private memo(key: string, build: () => Promise<Bundle>): Promise<Bundle> {
    let pending = this.builds.get(key);
    if (!pending) {
      pending = build();
      this.builds.set(key, pending);
    }
    return pending;
  }

  private async build(name: string, configPath: string, config: WorkerConfig): Promise<Bundle> {
    const dir = join(this.tmpRoot, 'bundles', this.root === ROOT ? name : `${name}@${this.root.replace(/^.*\//, '')}`);
    mkdirSync(dir, { recursive: true });
    const wrangler = join(ROOT, 'node_modules', '.bin', 'wrangler');
    try {
      await run(wrangler, ['deploy', '--dry-run', '--outdir', dir, '-c', configPath], {
        cwd: this.root,
        timeout: 180_000,
        maxBuffer: 16 * 1024 * 1024,
        // No telemetry or update checks: the network reaches only the npm registry.
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_UPDATE_NOTIFIER: '1', CI: 'true' },
      });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`wrangler deploy --dry-run failed for ${name}: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
    }
    const files = readdirSync(dir)
      .filter((f) => /\.(m?js|cjs|wasm|bin|txt|html|sql)$/.test(f))
      .map((f) => ({ path: join(dir, f), bytes: statSync(join(dir, f)).size }));
    const main = config.main.replace(/^.*\//, '').replace(/\.[cm]?[jt]sx?$/, '.js');
    const mainPath = files.find((f) => f.path.endsWith(`/${main}`))?.path ?? files.find((f) => f.path.endsWith('.js'))?.path;
    if (!mainPath) throw new Error(`no bundled entry module for ${name} in ${dir}`);
    return { name, dir, mainPath, files, config };
  }
}
