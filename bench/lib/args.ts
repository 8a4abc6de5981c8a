/** Command-line flags of `npm run bench`. */
export const FIGURES = ['bundle', 'render', 'overhead', 'tracing-js', 'export', 'cpu-per-invocation', 'cost', 'cron-tick'] as const;
export type FigureId = (typeof FIGURES)[number];

export interface BenchOptions {
  /** The figures to run, in the fixed order of {@link FIGURES}. */
  only: FigureId[];
  /** Fewer iterations and smaller loads, for a smoke run. */
  quick: boolean;
  /** Also add this run's figures to the committed bench/baseline.json (lib/baseline.ts). */
  baseline: boolean;
}

export const USAGE = `usage: npm run bench -- [--only ${FIGURES.join(',')}] [--quick] [--baseline]`;

function isFigure(name: string): name is FigureId {
  return (FIGURES as readonly string[]).includes(name);
}

export function parseArgs(argv: string[]): BenchOptions {
  let only: FigureId[] = [...FIGURES];
  let quick = false;
  let baseline = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--baseline') baseline = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value) throw new Error(`--only needs a list\n${USAGE}`);
      const names = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = names.filter((n) => !isFigure(n));
      if (unknown.length > 0) throw new Error(`unknown figure(s): ${unknown.join(', ')}\n${USAGE}`);
      only = FIGURES.filter((f) => names.includes(f));
    } else if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    else throw new Error(`unknown argument: ${arg}\n${USAGE}`);
  }
  // Quick figures check that the bench works; the README quotes none of them.
  if (quick && baseline) throw new Error(`--baseline takes full runs only, not --quick\n${USAGE}`);
  return { only, quick, baseline };
}
