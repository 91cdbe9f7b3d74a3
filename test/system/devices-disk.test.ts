/** @module System tier: host-path disk devices whose paths need escaping in lxc.mount.entry. */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { run, unmountUnder } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
if (skip) console.log(`# skipping disk device system tests: ${skip}`)
const name = `crl${process.pid}dd`
let s: LxcSession

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-disk', { image: true, pool: true })
})

after(async () => {
  if (skip || !s) return
  s.lxc(['delete', name, '--force'])
  run('lxc-stop', ['-k', '-n', name, '-P', join(s.dir, 'containers')])
  unmountUnder(s.dir)
  await s.close()
})

test(
  'a disk device with a space, a tab and a backslash in its source and path mounts there',
  { skip },
  () => {
    const source = join(s.home, 'my data\twith\\odd names')
    mkdirSync(source, { recursive: true })
    writeFileSync(join(source, 'hello'), 'from host\n')
    s.must(['init', 'busybox', name])
    s.must(['config', 'device', 'add', name, 'data', 'disk', `source=${source}`, 'path=/mnt/my data\\x y'])
    const started = s.lxc(['start', name])
    const conf = join(s.dir, 'containers', name, 'config')
    const entry = existsSync(conf)
      ? readFileSync(conf, 'utf8')
          .split('\n')
          .find((l) => l.startsWith('lxc.mount.entry'))
      : undefined
    assert.equal(started.status, 0, `${started.stderr}\n${entry}`)
    assert.equal(s.must(['exec', name, '--', 'cat', '/mnt/my data\\x y/hello']), 'from host\n')
    assert.equal(
      s.must(['exec', name, '--', 'ls', '/mnt']),
      'my data\\x y\n',
      'one directory, named as asked (no field split at the space)',
    )
    s.must(['delete', name, '--force'])
    assert.equal(readFileSync(join(source, 'hello'), 'utf8'), 'from host\n', 'the host source is intact')
  },
)
