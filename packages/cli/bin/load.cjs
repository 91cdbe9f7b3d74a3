/** @module Loads the bundled CLI (dist/corral.cjs) with V8's code cache when it still matches. */
'use strict'
const { readFileSync, statSync } = require('node:fs')
const { createRequire } = require('node:module')
const { dirname, join } = require('node:path')
const vm = require('node:vm')

/**
 * Compiles and runs the CommonJS bundle at `file`, given the cached data of an earlier compile
 * (V8 checks it against the source and its own version and flags, and rejects what differs:
 * then it compiles from source as usual). Returns the bundle's exports and its script.
 */
function loadBundle(file, cachedData) {
  const source = readFileSync(file, 'utf8')
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  })
  const module = { exports: {} }
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file))
  return { exports: module.exports, script }
}

const dist = join(__dirname, '..', 'dist')

function mtime(file) {
  try {
    return statSync(file).mtimeMs
  } catch {
    return -1
  }
}

/**
 * The bundle's exports (with its code cache) when it is fresh, else undefined: tsc -b rewrites
 * a package's build info whenever it rebuilds it, so one newer than the bundle means stale.
 */
function freshBundle() {
  const bundleFile = join(dist, 'corral.cjs')
  const built = mtime(bundleFile)
  const fresh =
    built > 0 &&
    ['cli', 'client', 'api'].every(
      (p) => mtime(join(__dirname, '..', '..', p, 'dist', 'tsconfig.tsbuildinfo')) <= built,
    )
  if (!fresh) return undefined
  let cache
  try {
    cache = readFileSync(join(dist, 'corral.cache'))
  } catch {
    cache = undefined
  }
  return loadBundle(bundleFile, cache).exports
}

module.exports = { loadBundle, freshBundle }
