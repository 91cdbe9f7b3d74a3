#!/usr/bin/env node
// The `corral` CLI in Node: the cold path of the launcher bin/corral (native/launcher.c), and
// runnable as `node bin/corral.cjs ARGS...`. Runs the bundled CLI (one file, with V8's code
// cache; see ../scripts/bundle.mjs), or the compiled modules when no bundle has been built or a
// later `tsc -b` made it stale. With CORRAL_CLI_POOL set (by the launcher) it is a warm process
// of a pool instead (pool.cjs). CommonJS (bin/package.json), so that Node starts it without
// setting up its ES module loader.
'use strict'
if (process.env.CORRAL_CLI_POOL) {
  void require('./pool.cjs').serve()
} else {
  const bundle = require('./load.cjs').freshBundle()
  if (bundle) void bundle.run()
  else void import('../dist/src/main.js').then((m) => m.run())
}
