// Lint of the workspace's TypeScript (run by `pnpm lint`, and so by `pnpm test` and CI).
// Type-aware: each file is checked with its package's tsconfig (typescript-eslint's project service).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import stylistic from '@stylistic/eslint-plugin';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/build/**',
      'out/**',
      'scratch/**',
      'reports/**',
      'docs/**',
      // AssemblyScript: TypeScript syntax, its own types (f64, v128, load<T>); compiled and checked by asc
      'packages/core/assembly/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts', 'types/*.d.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver': undefined,
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['packages/*/tsconfig.json', 'examples'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      // A promise nobody awaits loses its error: the CLI and the sweep must not exit with work unfinished.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Modules form layers (ARCHITECTURE.md): a cycle means one of them knows too much.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      // tsc's noUnusedLocals/noUnusedParameters already report these (with `_` as the opt-out).
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // No line over 120 characters (.editorconfig): prettier breaks code at 120 but not strings, template literals
    // or comments. No exception for URLs: no line needs one. The AssemblyScript kernels, which eslint does not
    // parse, get the same check from scripts/line-length.mjs (pnpm lint runs both).
    // (@stylistic/max-len: eslint's own max-len is deprecated since 8.53.)
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    plugins: { '@stylistic': stylistic },
    rules: { '@stylistic/max-len': ['error', { code: 120 }] },
  },
);
