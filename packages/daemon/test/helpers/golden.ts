/** @module Unit tier: golden files under test/unit/golden, rewritten instead of compared when UPDATE_GOLDEN=1. */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'

const dir = new URL('../../../test/unit/golden/', import.meta.url)

/** Asserts `actual` is the golden file's text; with UPDATE_GOLDEN=1 it writes the file instead (review the diff). */
export function assertGolden(actual: string, name: string): void {
  const file = new URL(name, dir)
  if (process.env.UPDATE_GOLDEN === '1') return writeFileSync(file, actual)
  assert.equal(actual, readFileSync(file, 'utf8'), `golden ${name} (UPDATE_GOLDEN=1 rewrites it)`)
}
