/** @module Unit tier: the audit's checks on hand-made snapshots (the full list golden), and apt's lists on disk. */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { runChecks } from '../../src/audit/checks.js'
import { shellWord } from '../../src/audit/finding.js'
import type { AuditInput, InstanceView } from '../../src/audit/input.js'
import { expand } from '../../src/instance/expand.js'
import { aptSecurityLists, pendingSecurityUpdates } from '../../src/host/audit-facts.js'
import { fakeHost } from '../helpers/fake-host.js'
import { assertGolden } from '../helpers/golden.js'

const root = { root: { type: 'disk', path: '/', pool: 'default' } }

/** An instance with the default profile (root disk, one NIC on br0 unless `nic` says otherwise). */
function instance(
  name: string,
  opts: {
    project?: string
    config?: Record<string, string>
    devices?: Record<string, Record<string, string>>
    profile?: { config?: Record<string, string>; devices?: Record<string, Record<string, string>> }
    running?: boolean
  } = {},
): InstanceView {
  const profiles = [
    {
      name: 'default',
      config: opts.profile?.config ?? {},
      devices: { ...root, ...(opts.profile?.devices ?? {}) },
    },
  ]
  const local = { config: opts.config ?? {}, devices: opts.devices ?? {} }
  return {
    project: opts.project ?? 'default',
    name,
    local,
    profiles,
    expanded: expand(profiles, local),
    running: opts.running ?? false,
  }
}

const cert = (name: string, restricted: boolean, projects: string[] = []) => ({
  fingerprint: `${name}`.padEnd(64, '0'),
  type: 'client',
  name,
  certificate: '',
  restricted,
  projects,
})

/** A clean snapshot: nothing to report. */
function clean(): AuditInput {
  return {
    release: { version: '0.1.0', kind: 'feature', supportEnd: '2027-01-31', pastSupportEnd: false },
    serverConfig: {},
    socket: { path: '/var/lib/corral/unix.socket', access: { group: 'corral', mode: 0o660, members: [] } },
    osUpdates: { packages: [], fetchedAt: '2026-12-01T00:00:00.000Z' },
    certificates: [],
    projects: [
      { id: 1, name: 'default', description: '', config: {} },
      { id: 2, name: 'p1', description: '', config: {} },
      { id: 3, name: 'locked', description: '', config: { restricted: 'true' } },
    ],
    instances: [],
    networks: [],
  }
}

/** Everything at once, for the golden list. */
function exposed(): AuditInput {
  const nic = (extra: Record<string, string> = {}) => ({ eth0: { type: 'nic', network: 'br0', ...extra } })
  return {
    ...clean(),
    release: { version: '0.1.0', kind: 'feature', supportEnd: '2026-01-31', pastSupportEnd: true },
    serverConfig: { 'core.https_address': '[::]:8443', 'core.trust_password': 'hash' },
    socket: {
      path: '/var/lib/corral/unix.socket',
      access: {
        group: 'corral',
        mode: 0o666,
        members: [
          { user: 'alice', primary: false },
          { user: 'bob', primary: true },
        ],
      },
    },
    osUpdates: { packages: ['libssl3', 'openssl'], fetchedAt: '2026-11-30T10:00:00.000Z' },
    certificates: [cert('admin', false), cert('tenant', true, ['p1', 'locked', 'gone'])],
    instances: [
      instance('priv', { config: { 'security.privileged': 'true' }, devices: nic(), running: true }),
      instance('fromprofile', {
        profile: { config: { 'security.privileged': 'true', 'raw.lxc': 'lxc.cap.drop =' } },
        devices: nic({ 'security.ipv4_filtering': 'true', 'security.ipv6_filtering': 'true' }),
      }),
      instance('raw', {
        project: 'p1',
        config: { 'raw.lxc': 'lxc.apparmor.profile = unconfined', 'raw.idmap': 'both 1000 1000' },
        devices: { data: { type: 'disk', source: '/srv/data', path: '/data' } },
        profile: { devices: nic() },
        running: true,
      }),
      instance('nest', { config: { 'security.nesting': 'true' } }),
      instance('iso', { config: { 'security.idmap.isolated': 'true' } }),
      instance('wasprivileged', {
        config: { 'volatile.idmap.current': '[]', 'volatile.idmap.base': '0' },
        running: true,
      }),
    ],
    networks: [
      { name: 'br0', config: {}, acceptsRa: true },
      { name: 'br1', config: {}, acceptsRa: false },
    ],
  }
}

test('a clean state has no findings', () => {
  assert.deepEqual(runChecks(clean()), [])
})

test('the full list: ids, severities, subjects, messages and fixes (golden), most severe first', () => {
  const findings = runChecks(exposed())
  assertGolden(`${JSON.stringify(findings, null, 2)}\n`, 'audit.findings.json')
  const order = findings.map((f) => f.severity)
  assert.deepEqual(
    order,
    [...order].sort(
      (a, b) => ['high', 'moderate', 'low'].indexOf(a) - ['high', 'moderate', 'low'].indexOf(b),
    ),
  )
})

test('nic-unfiltered needs a bridge shared with another instance, and both IP filters on a managed one', () => {
  const nic = (extra: Record<string, string> = {}) => ({ eth0: { type: 'nic', network: 'br0', ...extra } })
  const ids = (instances: InstanceView[]) =>
    runChecks({ ...clean(), instances })
      .filter((f) => f.id === 'nic-unfiltered')
      .map((f) => f.subject)
  assert.deepEqual(ids([instance('a', { devices: nic() })]), [], 'alone on its bridge')
  assert.deepEqual(
    ids([
      instance('a', { devices: nic({ 'security.mac_filtering': 'true' }) }),
      instance('b', {
        devices: nic({ 'security.ipv4_filtering': 'true', 'security.ipv6_filtering': 'true' }),
      }),
    ]),
    ['/1.0/instances/a?project=default'],
  )
  const unmanaged = (extra: Record<string, string>) => ({
    eth0: { type: 'nic', nictype: 'bridged', parent: 'hostbr', ...extra },
  })
  const onHostBridge = runChecks({
    ...clean(),
    instances: [
      instance('a', { devices: unmanaged({}) }),
      instance('b', { devices: unmanaged({ 'security.mac_filtering': 'true' }) }),
      instance('c', {
        devices: unmanaged({ 'ipv4.address': '198.18.0.5', 'security.mac_filtering': 'true' }),
      }),
    ],
  }).filter((f) => f.id === 'nic-unfiltered')
  assert.deepEqual(
    onHostBridge.map((f) => f.fix),
    [
      'corral config device set a eth0 security.mac_filtering=true',
      'corral config device set c eth0 security.ipv4_filtering=true',
    ],
  )
})

test('bridge-accept-ra only where the host takes advertisements and a NIC there lacks IPv6 filtering', () => {
  const on = (network: string, extra: Record<string, string> = {}) => ({
    devices: { eth0: { type: 'nic', network, ...extra } },
  })
  const run = (acceptsRa: boolean | undefined, filtered: boolean) =>
    runChecks({
      ...clean(),
      instances: [instance('a', on('br0', filtered ? { 'security.ipv6_filtering': 'true' } : {}))],
      networks: [{ name: 'br0', config: {}, acceptsRa }],
    }).filter((f) => f.id === 'bridge-accept-ra')
  assert.equal(run(true, false).length, 1)
  assert.equal(run(true, false)[0]!.subject, '/1.0/networks/br0?project=default')
  assert.equal(run(true, true).length, 0)
  assert.equal(run(false, false).length, 0)
  assert.equal(run(undefined, false).length, 0)
})

test('idmap-shared needs two containers on the shared map; a running one is judged by the map it runs with', () => {
  const shared = (instances: InstanceView[]) =>
    runChecks({ ...clean(), instances })
      .filter((f) => f.id === 'idmap-shared')
      .map((f) => f.subject)
  assert.deepEqual(
    shared([instance('a'), instance('b', { config: { 'security.idmap.isolated': 'true' } })]),
    [],
  )
  assert.deepEqual(shared([instance('a'), instance('b')]).length, 2)
  // Isolated in config now, but still running on the shared map until it restarts.
  const b = instance('b', {
    config: {
      'security.idmap.isolated': 'true',
      'volatile.idmap.base': '0',
      'volatile.idmap.current': '[{}]',
    },
    running: true,
  })
  assert.equal(shared([instance('a'), b]).length, 2)
  const fix = runChecks({ ...clean(), instances: [instance('a'), b] }).find(
    (f) => f.id === 'idmap-shared' && f.subject.includes('/b?'),
  )!.fix
  assert.equal(fix, 'corral config set b security.idmap.isolated=true && corral restart b')
})

test('https-wildcard: every wildcard form, and none for one address', () => {
  const fixes = (address: string) =>
    runChecks({ ...clean(), serverConfig: { 'core.https_address': address } })
      .filter((f) => f.id === 'https-wildcard')
      .map((f) => f.fix)
  const wildcards: [string, string][] = [
    ['0.0.0.0:9443', '9443'],
    ['[::]:8444', '8444'],
    [':8445', '8445'],
    ['0.0.0.0', '8443'],
    ['[::]', '8443'],
  ]
  for (const [address, port] of wildcards)
    assert.deepEqual(fixes(address), [`corral config set core.https_address=127.0.0.1:${port}`], address)
  for (const address of ['127.0.0.1:8443', '[::1]:8443', '198.18.0.1', 'host.example:8443'])
    assert.deepEqual(fixes(address), [], address)
})

test('fix commands quote what the shell would split', () => {
  assert.equal(shellWord('c1'), 'c1')
  assert.equal(shellWord("it's here"), `'it'\\''s here'`)
  assert.equal(shellWord('a;b'), "'a;b'")
})

test('aptSecurityLists finds the security suites by their Release headers; pendingSecurityUpdates reads apt -s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-apt-'))
  try {
    const lists = join(dir, 'lists')
    mkdirSync(lists)
    writeFileSync(
      join(lists, 'deb.example_debian_dists_bookworm_InRelease'),
      'Origin: Debian\nSuite: oldstable\n',
    )
    writeFileSync(join(lists, 'deb.example_debian_dists_bookworm_main_binary-amd64_Packages'), '')
    writeFileSync(
      join(lists, 'sec.example_debian-security_dists_bookworm-security_InRelease'),
      'Origin: Debian\nLabel: Debian-Security\nSuite: oldstable-security\n',
    )
    writeFileSync(
      join(lists, 'sec.example_debian-security_dists_bookworm-security_main_binary-amd64_Packages'),
      '',
    )
    writeFileSync(join(dir, 'status'), '')
    const found = aptSecurityLists(lists, join(dir, 'status'))!
    assert.deepEqual(
      found.files.map((f) => f.slice(lists.length + 1)),
      [
        'sec.example_debian-security_dists_bookworm-security_InRelease',
        'sec.example_debian-security_dists_bookworm-security_main_binary-amd64_Packages',
      ],
    )
    assert.equal(aptSecurityLists(join(dir, 'none')), undefined)
    const host = fakeHost(() => ({
      stdout:
        'Inst openssl [3.0.1] (3.0.2 Debian-Security:12/oldstable-security [amd64])\nInst libssl3 [3.0.1] (3.0.2 Debian-Security:12/oldstable-security [amd64])\nConf openssl (3.0.2)\n',
      stderr: '',
    }))
    const work = join(dir, 'work')
    assert.deepEqual(await pendingSecurityUpdates(host, found, work), ['libssl3', 'openssl'])
    const args = [host.calls[0]!.cmd, ...host.calls[0]!.args]
    assert.equal(args[0], 'apt-get')
    assert.ok(args.includes('-s'), 'a simulation only')
    assert.ok(args.includes(`Dir::State::Lists=${join(work, 'lists')}`), 'only the security lists')
    assert.ok(args.includes('Debug::NoLocking=1'))
    assert.ok(args.includes(`Dir::Log=${join(work, 'log')}`), 'no log written outside the work directory')
    assert.ok(!args.includes('update'), 'never fetches')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
