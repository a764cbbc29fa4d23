// Lint only the rules that prevent real bugs (STYLE.md §13): unawaited promises everywhere, and
// nothing nondeterministic or I/O-bound inside workflow code.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'web/dist/**', '.data/**', '.tools/**', 'test-artifacts/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow and domain code must stay deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['**/activities/**', '**/db/**', '**/api/**', '**/worker/**'], allowTypeImports: true, message: 'Workflows import only domain/ and @temporalio/workflow (types are fine).' },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the workflow clock (new Date()) or a `now` passed in.' },
        { object: 'Math', property: 'random', message: 'Nondeterministic: pass randomness in, or use the workflow APIs.' },
      ],
    },
  },
);
