// @ts-check
// typescript-eslint rather than Biome: its promise rules (no-floating-promises, no-misused-promises, await-thenable) use
// the TypeScript checker itself, while Biome's noFloatingPromises is a nursery rule on its own inference (about 75% of
// what typescript-eslint finds, says Biome's v2 announcement); an unawaited promise is cancelled when a Worker's invocation ends.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Globals of the plain JavaScript files (Node 24 scripts, workerd test worker); TypeScript files need none. */
const JS_GLOBALS = [
  'AbortSignal',
  'Blob',
  'clearInterval',
  'clearTimeout',
  'console',
  'fetch',
  'performance',
  'process',
  'Response',
  'setInterval',
  'setTimeout',
  'structuredClone',
  'TextEncoder',
  'URL',
  'WebAssembly',
];

export default tseslint.config(
  {
    ignores: ['node_modules/', '.wrangler/', 'dist/', 'bench/out/', 'test-results/', 'test/golden/', 'test/fixtures/*.json', 'test/e2e/__snapshots__/'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          // JavaScript the tsconfig does not include (it has no allowJs): typed by a default project.
          allowDefaultProject: ['*.js', 'scripts/*.mjs', 'src/*/*.mjs', 'bench/lib/*.mjs', 'bench/variants/*.js', 'test/support/*.js'],
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 16,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `_`-prefixed names and rest siblings are how the code drops a field or an argument on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Cleanup of a process or file that may already be gone ignores the error: `try { … } catch {}`.
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Stripping ANSI colours (\x1b) from wrangler's output and refusing control characters in a body preview are the point.
      'no-control-regex': 'off',
      // `async () => value` is how a callback meets a Promise-returning parameter (waitFor, fake bindings); no bug hides there.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: Object.fromEntries(JS_GLOBALS.map((name) => [name, 'readonly'])) },
    rules: {
      // Untyped JavaScript: every parameter is `any`; these files' types are their .d.mts declarations, which tsc checks.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['test/browser/**'],
    rules: {
      // Page functions run in chromium, and the tsconfig has no DOM lib (it would clash with workers-types): `document` is `any` there.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['test/**'],
    rules: {
      // A sparse array is one of the malformed bodies the tests send (test/support/malformed-bodies.ts).
      'no-sparse-arrays': 'off',
      // vitest's asymmetric matchers (expect.any, expect.stringMatching, expect.objectContaining…) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
