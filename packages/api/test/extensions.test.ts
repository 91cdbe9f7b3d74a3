/** @module Unit tier: the advertised API extensions are LXD 5.0.2's names, in its order. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { apiExtensions } from '../src/index.js'

const reference = new URL('../../../../../shared/reference/lxd-5.0.2-api-extensions.txt', import.meta.url)

test('every advertised extension exists in LXD 5.0.2, in LXD order, once; corral_ ones come last', (t) => {
  let lxd: string[]
  try {
    lxd = readFileSync(reference, 'utf8').split('\n').filter(Boolean)
  } catch {
    t.skip(`reference list not found at ${reference.pathname} (shared/ is not beside this checkout)`)
    return
  }
  const ours = apiExtensions.filter((e) => e.startsWith('corral_'))
  assert.deepEqual(
    apiExtensions.slice(apiExtensions.length - ours.length),
    ours,
    'corral_ extensions not last',
  )
  const lxdOnes = apiExtensions.filter((e) => !e.startsWith('corral_'))
  const positions = lxdOnes.map((e) => lxd.indexOf(e))
  assert.deepEqual(
    lxdOnes.filter((_e, i) => positions[i] === -1),
    [],
    'extensions unknown to LXD 5.0.2',
  )
  assert.deepEqual(
    positions,
    [...positions].sort((a, b) => a - b),
    'extensions out of LXD order',
  )
  assert.equal(new Set(apiExtensions).size, apiExtensions.length)
})
