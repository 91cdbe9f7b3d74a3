/** @module Unit tier: the repository's lint refuses an import cycle (a deliberate one in test/fixtures/lint). */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { ESLint, type Linter } from 'eslint'
import tseslint from 'typescript-eslint'

const repoRoot = new URL('../../../../../', import.meta.url).pathname

test("eslint.config.js's import-x/no-cycle flags a cycle, with the TypeScript resolver finding ./x.js as x.ts", async () => {
  const config = ((await import(join(repoRoot, 'eslint.config.js'))) as { default: Linter.Config[] }).default
  // The repository's own block for import cycles, without the type-aware rules the fixture has no project for.
  const cycles = config.filter((c) => c.plugins?.['import-x'])
  assert.equal(cycles.length, 1)
  const eslint = new ESLint({
    cwd: repoRoot,
    ignore: false,
    overrideConfigFile: true,
    overrideConfig: [{ languageOptions: { parser: tseslint.parser } }, ...cycles],
  })
  const results = await eslint.lintFiles(['test/fixtures/lint/cycle-a.ts', 'test/fixtures/lint/cycle-b.ts'])
  const messages = results.flatMap((r) => r.messages.map((m) => m.ruleId))
  assert.deepEqual(messages, ['import-x/no-cycle', 'import-x/no-cycle'])
})
