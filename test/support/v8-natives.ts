import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Set before any code below is compiled: a context made after --expose-gc gets gc(), and code
// compiled after --allow-natives-syntax may call V8's natives (%…).
setFlagsFromString('--expose-gc');
setFlagsFromString('--allow-natives-syntax');
const gc = runInNewContext('gc') as () => void;

/** A full collection once the current job is over (a WeakRef's target is kept until then, and so is anything the job's frames hold). */
export async function fullCollection(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

// eslint-disable-next-line @typescript-eslint/no-implied-eval -- natives syntax (%…) parses only in code compiled at run time
const natives = new Function(
  'f',
  'what',
  'return what === "prepare" ? %PrepareFunctionForOptimization(f) : what === "optimize" ? %OptimizeFunctionOnNextCall(f) : %GetOptimizationStatus(f)',
) as (f: unknown, what: 'prepare' | 'optimize' | 'status') => number;

/** %GetOptimizationStatus's bit for "has optimized code" (V8's OptimizationStatus::kOptimized). */
const OPTIMIZED = 16;

/**
 * Has V8 optimize `f` (Turbofan) on what `use` feeds it, and returns whether `f` has optimized code,
 * to ask again later (after a {@link fullCollection}). `use` must call `f`.
 */
export function optimized(f: unknown, use: () => void): () => boolean {
  natives(f, 'prepare');
  for (let i = 0; i < 10; i++) use();
  natives(f, 'optimize');
  use();
  return () => (natives(f, 'status') & OPTIMIZED) === OPTIMIZED;
}
