#!/usr/bin/env node
// Bundles the compiled CLI (dist/src) into one CommonJS file, dist/corral.cjs, and writes V8's
// code cache for it, dist/corral.cache, that bin/load.cjs hands to vm.Script (docs/performance.md):
// one file to read instead of ~150 modules to resolve, and compiled code instead of source.
// Part of `npm run build`, after tsc.
import { build } from 'esbuild'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const { loadBundle } = createRequire(import.meta.url)('../bin/load.cjs')

const dist = new URL('../dist/', import.meta.url).pathname
const require = createRequire(import.meta.url)

// Node modules that cost milliseconds to load and that most commands never touch (TLS remotes,
// the editor, image import, commander's executable subcommands): each import of one becomes an
// object of getters, with the module's export names taken here, that loads it on first use.
const lazyBuiltins = ['https', 'tls', 'crypto', 'child_process', 'readline', 'zlib']
const lazy = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${lazyBuiltins.join('|')})$`)
    b.onResolve({ filter }, (args) =>
      // The getters' own require stays the real one.
      args.namespace === 'lazy'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'lazy' },
    )
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
      const names = Object.keys(require(args.path)).filter((k) => k !== 'default')
      const getters = names.map(
        (k) => `${JSON.stringify(k)}: { get: () => load()[${JSON.stringify(k)}], enumerable: true }`,
      )
      return {
        loader: 'js',
        contents: `let m; const load = () => (m ??= require(${JSON.stringify(`node:${args.path}`)}));\nmodule.exports = Object.defineProperties({}, {${getters.join(',\n')}});\n`,
      }
    })
  },
}
const out = join(dist, 'corral.cjs')
await build({
  entryPoints: [join(dist, 'src/main.js')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: out,
  // ws's optional native helpers: absent here, ws falls back to JavaScript without them.
  external: ['bufferutil', 'utf-8-validate'],
  plugins: [lazy],
  logLevel: 'warning',
  legalComments: 'none',
})
// Warm the functions every command runs (the command tree, help, argument parsing) before the
// cache is taken, so they are in it; nothing here reaches a daemon or the user's config.
const { exports, script } = loadBundle(out, undefined)
const quiet = { stdout() {}, stderr() {} }
for (const argv of [['--help'], ['list', '--help'], ['exec', '--help'], ['info', '--help'], ['--version']])
  await exports.main(argv, quiet)
const tmp = join(dist, `corral.cache.${process.pid}`)
writeFileSync(tmp, script.createCachedData())
renameSync(tmp, join(dist, 'corral.cache'))
console.log(`bundled ${out} (${(readFileSync(out).length / 1024).toFixed(0)} KiB) and its code cache`)
