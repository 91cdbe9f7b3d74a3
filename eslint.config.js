// Lint rules: typescript-eslint's type-aware recommended set, so floating promises are caught;
// import-x's no-cycle (with the TypeScript resolver, so `./x.js` finds `x.ts`) keeps the module
// graph a tree, and the API layer reaches LXC only through the instance services.
import js from '@eslint/js'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'
import importX from 'eslint-plugin-import-x'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', 'test/fixtures/lint/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['packages/*/src/**/*.ts', 'test/fixtures/lint/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['packages/daemon/src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/instance/lxc/*'], message: 'api/ reaches LXC through the instance services' },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  // CommonJS launchers (packages/cli/bin): require is theirs.
  { files: ['**/*.cjs'], rules: { 'no-undef': 'off', '@typescript-eslint/no-require-imports': 'off' } },
  // Plain-JS scripts (bench) run on Node; its globals need no declaration.
  { files: ['**/*.mjs'], rules: { 'no-undef': 'off' } },
)
