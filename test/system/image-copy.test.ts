/** @module System tier: the stock lxc client copies and launches images from one corrald on another over TLS. */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { freePort } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
let source: LxcSession
let target: LxcSession
let port = 0
let publicFp = ''
let privateFp = ''

function aliasTarget(session: LxcSession, alias: string): string {
  return (JSON.parse(session.must(['query', `/1.0/images/aliases/${alias}`])) as { target: string }).target
}

before(async () => {
  if (skip) return
  source = await startLxcSession('corral-imgsrc', { image: true, pool: true })
  target = await startLxcSession('corral-imgdst', { pool: true })
  port = await freePort()
  source.must(['config', 'set', 'core.https_address', `127.0.0.1:${port}`])
  publicFp = aliasTarget(source, 'busybox')
  source.must(['query', '-X', 'PATCH', `/1.0/images/${publicFp}`, '--data', '{"public": true}'])
  // The split form of the same image has another fingerprint: the private one.
  const split = ['busybox-meta.tar.xz', 'busybox-rootfs.tar.xz'].map((f) => join(source.images, f))
  source.must(['image', 'import', ...split, '--alias', 'private'])
  privateFp = aliasTarget(source, 'private')
  target.must(['remote', 'add', 'src', `https://127.0.0.1:${port}`, '--public', '--accept-certificate'])
})

after(async () => {
  if (skip) return
  await target?.close(['from-src'])
  await source?.close()
})

test('an untrusted public remote shows only the public image', { skip }, () => {
  const listed = target.must(['image', 'list', 'src:', '--format', 'csv', '-c', 'F'])
  assert.equal(listed.trim(), publicFp)
  assert.notEqual(target.lxc(['image', 'info', `src:${privateFp}`]).status, 0)
})

test('lxc image copy src:busybox local: pulls the public image over TLS', { skip }, () => {
  target.must(['image', 'copy', 'src:busybox', 'local:', '--alias', 'copied'])
  const image = JSON.parse(target.must(['query', `/1.0/images/${publicFp}`])) as {
    fingerprint: string
    aliases: { name: string }[]
  }
  assert.equal(image.fingerprint, publicFp)
  assert.deepEqual(
    image.aliases.map((a) => a.name),
    ['copied'],
  )
})

test('lxc launch src:busybox runs a container from the remote image', { skip }, () => {
  target.must(['image', 'delete', publicFp])
  target.must(['launch', 'src:busybox', 'from-src'])
  assert.match(target.must(['list', 'from-src', '--format', 'csv', '-c', 'ns']), /^from-src,RUNNING$/m)
  assert.equal(target.must(['exec', 'from-src', '--', 'hostname']).trim(), 'from-src')
  assert.match(
    target.must(['image', 'list', '--format', 'csv', '-c', 'F']),
    new RegExp(publicFp.slice(0, 12)),
  )
})

test('a trusted remote copies a private image with an image secret', { skip }, () => {
  const lines = source.must(['config', 'trust', 'add', '--name', 'target']).trim().split('\n')
  target.must(['remote', 'add', 'trusted-src', lines[lines.length - 1]!])
  target.must(['image', 'copy', `trusted-src:private`, 'local:', '--alias', 'private-copy'])
  assert.equal(aliasTarget(target, 'private-copy'), privateFp)
})
