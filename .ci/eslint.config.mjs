// ESLint (flat config, typescript-eslint's recommended rules; formatting is prettier's, not ESLint's).
// `npm run lint` passes this file with --config: the project root holds only the fixed top-level files.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'out/**',
      '.jupyter/**',
      'test/jupyterlab/**',
      'lib/tfjs/simd/kernels-wasm.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // lazy require() is how the lib keeps the notebook's import light (lib/index.ts, jupyter/deno.ts) and
      // loads optional packages (tfjs-node, wasm); a typed `as typeof import(...)` follows each one
      '@typescript-eslint/no-require-imports': 'off',
      // each rethrow names its cause's message; Error's `cause` option is ES2022 and tsconfig's lib is ES2020
      'preserve-caught-error': 'off',
      // `_name` marks a parameter kept for a signature (a Step's batchSize, a kernel's attrs); `{ a, ...rest }` drops `a`
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // tests and their support code probe JSON and child processes' output: `any` there is the probe's
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
