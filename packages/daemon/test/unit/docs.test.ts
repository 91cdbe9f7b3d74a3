/** @module Unit tier: the committed config reference matches the key declarations. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { renderConfigReference } from '../../src/docs/config-reference.js'

test('docs/config.md is what npm run gen renders from the key declarations', () => {
  const committed = readFileSync(new URL('../../../../../docs/config.md', import.meta.url), 'utf8')
  assert.equal(committed, renderConfigReference(), 'run `npm run gen` and commit docs/config.md')
})
