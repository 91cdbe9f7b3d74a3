/** @module Unit tier: the registry of clean stops in progress that a forced stop may cut short. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cleanStopInProgress, runCleanStop } from '../../src/instance/clean-stops.js'

test('runCleanStop() makes the stop known while it runs and forgets it once it settles', async () => {
  let finish!: () => void
  const run = runCleanStop('p/a', () => new Promise<void>((r) => (finish = r)))
  assert.equal(cleanStopInProgress('p/a'), run)
  assert.equal(cleanStopInProgress('p/b'), undefined, 'per instance')
  finish()
  await run
  await new Promise((r) => setImmediate(r))
  assert.equal(cleanStopInProgress('p/a'), undefined)
})

test('a failed clean stop is forgotten too, and its error reaches its own caller', async () => {
  const run = runCleanStop('p/c', () => Promise.reject(new Error('lxc-stop failed')))
  await assert.rejects(run, /lxc-stop failed/)
  await new Promise((r) => setImmediate(r))
  assert.equal(cleanStopInProgress('p/c'), undefined)
})
