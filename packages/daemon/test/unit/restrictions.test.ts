/** @module Unit tier: a restricted project's rules over instances and profiles, LXD 5.0.2's defaults once restricted. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  checkLimits,
  checkRestrictions,
  checkVolatileKeys,
  networkAllowed,
  type RestrictedEntity,
} from '../../src/project/restrictions.js'

const ctx = {
  managedNetworks: new Set(['br0', 'br1']),
  resolvePath: (p: string) => p.replace('/srv/link', '/etc'),
}
const project = (config: Record<string, string> = {}) => ({
  name: 'p',
  config: { restricted: 'true', ...config },
})
const container = (
  config: Record<string, string> = {},
  devices: RestrictedEntity['devices'] = {},
): RestrictedEntity => ({
  kind: 'container',
  name: 'c1',
  config,
  devices,
})
const refusal = (p: ReturnType<typeof project>, e: RestrictedEntity) => {
  try {
    checkRestrictions(p, [e], ctx)
    return ''
  } catch (err) {
    assert.equal((err as { status: number }).status, 403)
    return (err as Error).message
  }
}

test('an unrestricted project allows everything', () => {
  checkRestrictions(
    { name: 'p', config: {} },
    [container({ 'raw.lxc': 'x', 'security.privileged': 'true' })],
    ctx,
  )
})

test('low-level keys are refused by default and allowed with restricted.containers.lowlevel=allow', () => {
  for (const key of [
    'raw.lxc',
    'raw.seccomp',
    'security.idmap.base',
    'security.idmap.size',
    'boot.host_shutdown_timeout',
    'security.syscalls.allow',
  ])
    assert.match(
      refusal(project(), container({ [key]: '1' })),
      new RegExp(
        `low-level config "${key.replace(/\./g, '\\.')}" on container "c1" of project "p" is forbidden`,
      ),
    )
  assert.match(refusal(project(), container({ 'security.syscalls.deny_default': 'false' })), /low-level/)
  assert.equal(refusal(project(), container({ 'security.syscalls.deny_default': 'true' })), '')
  assert.equal(
    refusal(project({ 'restricted.containers.lowlevel': 'allow' }), container({ 'raw.lxc': 'x' })),
    '',
  )
})

test('raw.idmap passes only inside restricted.idmap.uid and .gid', () => {
  const p = project({ 'restricted.idmap.uid': '1000-1999', 'restricted.idmap.gid': '1000' })
  assert.equal(refusal(p, container({ 'raw.idmap': 'uid 1000-1010 1000-1010' })), '')
  assert.equal(refusal(p, container({ 'raw.idmap': 'both 1000 1000' })), '')
  assert.match(refusal(p, container({ 'raw.idmap': 'both 1001 1001' })), /raw\.idmap" element 0/)
  assert.match(refusal(project(), container({ 'raw.idmap': 'uid 0 0' })), /raw\.idmap" element 0/)
})

test('privilege, isolation and nesting follow their restriction keys', () => {
  assert.match(
    refusal(project(), container({ 'security.privileged': 'true' })),
    /Privileged containers are forbidden/,
  )
  assert.equal(
    refusal(
      project({ 'restricted.containers.privilege': 'allow' }),
      container({ 'security.privileged': 'true' }),
    ),
    '',
  )
  assert.match(
    refusal(
      project({ 'restricted.containers.privilege': 'isolated' }),
      container({ 'security.idmap.isolated': 'false' }),
    ),
    /Non-isolated containers are forbidden/,
  )
  assert.match(refusal(project(), container({ 'security.nesting': 'true' })), /nesting is forbidden/)
  assert.equal(
    refusal(project({ 'restricted.containers.nesting': 'allow' }), container({ 'security.nesting': 'true' })),
    '',
  )
})

test('disks: the root disk always, pool volumes when managed, host paths only with allow and within disk.paths (resolved)', () => {
  const root = { root: { type: 'disk', path: '/', pool: 'default' } }
  const host = { data: { type: 'disk', path: '/mnt', source: '/srv/data' } }
  assert.equal(refusal(project(), container({}, root)), '')
  assert.match(refusal(project(), container({}, host)), /not backed by a pool is forbidden/)
  assert.match(
    refusal(project({ 'restricted.devices.disk': 'block' }), container({}, host)),
    /Disk devices are forbidden/,
  )
  const allow = project({ 'restricted.devices.disk': 'allow', 'restricted.devices.disk.paths': '/srv' })
  assert.equal(refusal(allow, container({}, host)), '')
  assert.match(
    refusal(allow, container({}, { x: { type: 'disk', path: '/m', source: '/srvdata' } })),
    /not allowed/,
  )
  assert.match(
    refusal(allow, container({}, { x: { type: 'disk', path: '/m', source: '/srv/link/shadow' } })),
    /not allowed/,
  )
})

test('NICs: managed networks in restricted.networks.access only, no host parents, no routes', () => {
  const p = project({ 'restricted.networks.access': 'br0' })
  assert.equal(refusal(p, container({}, { eth0: { type: 'nic', network: 'br0' } })), '')
  assert.match(
    refusal(p, container({}, { eth0: { type: 'nic', network: 'br1' } })),
    /Network not allowed in project/,
  )
  assert.match(
    refusal(p, container({}, { eth0: { type: 'nic', nictype: 'bridged', parent: 'br0' } })),
    /Only managed network devices/,
  )
  assert.match(
    refusal(p, container({}, { eth0: { type: 'nic', nictype: 'routed', 'ipv4.address': '198.18.0.9' } })),
    /Only managed/,
  )
  assert.match(
    refusal(p, container({}, { eth0: { type: 'nic', network: 'br0', 'ipv4.routes': '198.18.9.0/24' } })),
    /Routes/,
  )
  assert.match(
    refusal(
      project({ 'restricted.devices.nic': 'block' }),
      container({}, { eth0: { type: 'nic', network: 'br0' } }),
    ),
    /Network devices are forbidden/,
  )
  assert.equal(networkAllowed(project({ 'restricted.devices.nic': 'allow' }), 'eth0', false), true)
  assert.equal(networkAllowed(project(), 'eth0', false), false)
})

test('other device types are blocked unless allowed, and profiles are checked like instances', () => {
  assert.match(refusal(project(), container({}, { p: { type: 'proxy' } })), /Proxy devices are forbidden/)
  assert.equal(
    refusal(project({ 'restricted.devices.proxy': 'allow' }), container({}, { p: { type: 'proxy' } })),
    '',
  )
  assert.match(
    refusal(project(), { kind: 'profile', name: 'web', config: { 'raw.lxc': 'x' }, devices: {} }),
    /on profile "web" of project "p"/,
  )
})

test("client-set volatile keys: only LXD's safe list in a restricted project", () => {
  checkVolatileKeys(project(), 'c1', {
    'volatile.eth0.hwaddr': '00:16:3e:00:00:01',
    'volatile.base_image': 'ab',
  })
  assert.throws(
    () => checkVolatileKeys(project(), 'c1', { 'volatile.idmap.next': '[]' }),
    /Setting "volatile\.idmap\.next" on container "c1" in project "p" is forbidden/,
  )
  checkVolatileKeys(project({ 'restricted.containers.lowlevel': 'allow' }), 'c1', {
    'volatile.idmap.next': '[]',
  })
})

test('limits: counts and aggregates over the instances, each of which must set the limit', () => {
  const two = [
    container({ 'limits.memory': '1GiB' }),
    { ...container({ 'limits.memory': '2GiB' }), name: 'c2' },
  ]
  checkLimits({ name: 'p', config: { 'limits.memory': '3GiB', 'limits.instances': '2' } }, two)
  assert.throws(
    () => checkLimits({ name: 'p', config: { 'limits.memory': '2GiB' } }, two),
    /Reached maximum aggregate value "2GiB" for "limits.memory"/,
  )
  assert.throws(
    () => checkLimits({ name: 'p', config: { 'limits.instances': '1' } }, two),
    /Reached maximum number of instances/,
  )
  assert.throws(
    () => checkLimits({ name: 'p', config: { 'limits.cpu': '4' } }, two),
    /has no "limits.cpu" config/,
  )
  assert.throws(
    () => checkLimits({ name: 'p', config: { 'limits.cpu': '4' } }, [container({ 'limits.cpu': '0-1' })]),
    /can't be pinned/,
  )
})
