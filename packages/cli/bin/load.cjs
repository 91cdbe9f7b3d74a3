/** @module Loads the bundled CLI (dist/corral.cjs) with V8's code cache when it still matches. */
'use strict'
const { readFileSync } = require('node:fs')
const { createRequire } = require('node:module')
const { dirname } = require('node:path')
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

module.exports = { loadBundle }
