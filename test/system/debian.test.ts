/**
 * @module System tier: a real distribution. Two Debian containers with systemd (the image
 * scripts/build-debian-image.sh builds from Debian's packages, cached between runs) on a
 * managed bridge, driven by the stock client: boot to "running", DHCP and names, templates,
 * clean stop and restart read back from their journals, lxcfs limits, and the daemon's
 * SIGPWR (host shutdown) against SIGTERM (daemon restart).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { repoRoot, run, startCorrald } from '../helpers/corrald.js'
import { instanceAddress, until } from '../helpers/instance-net.js'
import {
  missingToolReason,
  sessionSkipReason,
  startLxcSession,
  type LxcSession,
} from '../helpers/lxc-session.js'
import { addForwardGuard } from '../helpers/net-guard.js'

const skip =
  sessionSkipReason({ pool: true }, ['mmdebstrap', 'dnsmasq']) ??
  (run('which', ['journalctl']).status === 0 ? undefined : 'journalctl is not installed (systemd)')
if (skip) console.log(`# skipping the Debian system tests: ${skip}`)
const lxcfsSkip = missingToolReason(['lxcfs'])

const tag = String(process.pid % 100000)
const octet = 220 + (process.pid % 30)
const net = `crtd${tag}`
const d1 = `deb1x${tag}`
const d2 = `deb2x${tag}`
let s: LxcSession
let removeGuard = () => {}

const status = (name: string) => s.must(['list', name, '--format', 'csv', '-c', 's']).trim()
const rootfs = (name: string) => join(s.dir, 'storage-pools', 'default', 'containers', name, 'rootfs')

/** The messages of one boot of a container's journal (0: the last, -1: the one before), read on the host. */
function journal(name: string, boot: number): string {
  const r = run('journalctl', [
    '-D',
    join(rootfs(name), 'var/log/journal'),
    '-b',
    String(boot),
    '--no-pager',
    '-o',
    'cat',
  ])
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
}

/** systemd's orderly halt, in its own words, as the journal keeps it. */
function assertOrderlyShutdown(text: string, what: string): void {
  assert.match(text, /Reached target shutdown\.target - System Shutdown\./, `${what}: shutdown.target`)
  assert.match(text, /Starting systemd-halt\.service - System Halt\.\.\./, `${what}: halt`)
  assert.match(text, /Shutting down\./, `${what}: systemd shut down`)
}

/** Waits until systemd inside has finished booting (its bus may not answer yet), and says how it ended. */
function systemState(name: string): Promise<string> {
  return until(`${name} boot`, () => {
    const r = s.lxc(['exec', name, '--', 'systemctl', 'is-system-running', '--wait']).stdout.trim()
    return ['running', 'degraded', 'maintenance'].includes(r) ? r : undefined
  })
}

function lxcState(name: string): string {
  return run('lxc-info', ['-n', name, '-P', join(s.dir, 'containers'), '-s', '-H']).stdout.trim()
}

before(async () => {
  if (skip) return
  removeGuard = addForwardGuard(`deb${tag}`)
  // Built once per machine (about 75 s) and reused while the script is unchanged.
  const build = spawnSync('bash', [join(repoRoot, 'scripts/build-debian-image.sh')], {
    encoding: 'utf8',
    timeout: 15 * 60_000,
  })
  assert.equal(build.status, 0, build.stderr)
  const image = build.stdout.trim().split('\n').pop()!
  s = await startLxcSession('corral-deb', { pool: true })
  s.must([
    'network',
    'create',
    net,
    `ipv4.address=198.18.${octet}.1/24`,
    'ipv6.address=none',
    'ipv4.nat=false',
    'ipv4.routing=false',
    'dns.domain=corral.test',
  ])
  s.must(['profile', 'device', 'add', 'default', 'eth0', 'nic', `network=${net}`])
  s.must(['image', 'import', image, '--alias', 'debian'])
  for (const name of [d1, d2]) s.must(['launch', 'debian', name])
})

after(async () => {
  if (skip) return
  try {
    for (const name of [d1, d2]) s?.lxc(['stop', name, '--force'])
    await s?.close([d1, d2])
  } finally {
    removeGuard()
  }
})

test(
  'systemd boots to "running" with no failed unit; DHCP, names through the bridge, hostname and hosts from templates',
  { skip },
  async () => {
    for (const name of [d1, d2]) {
      assert.equal(
        await systemState(name),
        'running',
        s.lxc(['exec', name, '--', 'systemctl', '--failed']).stdout,
      )
      assert.equal(s.must(['exec', name, '--', 'systemctl', '--failed', '--plain', '--no-legend']), '')
    }
    const a1 = await until('d1 DHCP', () => instanceAddress(s, d1, 'inet'))
    const a2 = await until('d2 DHCP', () => instanceAddress(s, d2, 'inet'))
    assert.match(a1, new RegExp(`^198\\.18\\.${octet}\\.\\d+$`))
    assert.equal(
      s.must(['exec', d1, '--', 'networkctl', 'list', '--no-legend', 'eth0']).includes('routable'),
      true,
    )
    // systemd-resolved asks the bridge's dnsmasq (DNS only, not LLMNR), with the search domain its DHCP gave.
    const esc = (a: string) => a.replace(/\./g, '\\.')
    assert.match(
      s.must(['exec', d1, '--', 'resolvectl', 'query', '-4', '-p', 'dns', '--legend=no', d2]),
      new RegExp(`^${d2}: ${esc(a2)}\\s[^]*\\(${d2}\\.corral\\.test\\)`),
    )
    assert.match(
      s.must(['exec', d2, '--', 'getent', 'ahostsv4', `${d1}.corral.test`]),
      new RegExp(`^${esc(a1)}\\s`),
    )
    assert.match(
      s.must(['exec', d1, '--', 'resolvectl', 'dns', 'eth0']),
      new RegExp(`198\\.18\\.${octet}\\.1`),
    )
    for (const name of [d1, d2]) {
      assert.equal(s.must(['exec', name, '--', 'hostname']), `${name}\n`)
      assert.equal(
        s.must(['exec', name, '--', 'cat', '/etc/hostname']),
        `${name}\n`,
        'the image ships "bookworm"',
      )
      assert.match(
        s.must(['exec', name, '--', 'cat', '/etc/hosts']),
        new RegExp(`^127\\.0\\.1\\.1\\t${name}$`, 'm'),
      )
    }
  },
)

test(
  "a clean lxc stop returns in under 10 s and the journal shows systemd's orderly shutdown; lxc restart likewise",
  { skip },
  async () => {
    let started = Date.now()
    s.must(['stop', d1])
    const stopMs = Date.now() - started
    assert.ok(stopMs < 10_000, `lxc stop took ${stopMs} ms`)
    assert.equal(status(d1), 'STOPPED')
    assertOrderlyShutdown(journal(d1, 0), 'stop')
    s.must(['start', d1])
    assert.equal(await systemState(d1), 'running')
    started = Date.now()
    s.must(['restart', d1])
    const restartMs = Date.now() - started
    assert.ok(restartMs < 10_000, `lxc restart took ${restartMs} ms`)
    assert.equal(status(d1), 'RUNNING')
    assertOrderlyShutdown(journal(d1, -1), 'restart')
    assert.equal(await systemState(d1), 'running')
    console.log(`# Debian clean stop ${stopMs} ms, restart ${restartMs} ms`)
  },
)

test(
  "with limits.memory=512MiB and limits.cpu=1, free, nproc and uptime are the container's own (lxcfs)",
  { skip: skip ?? lxcfsSkip },
  () => {
    s.must(['stop', d2])
    s.must(['config', 'set', d2, 'limits.memory=512MiB', 'limits.cpu=1'])
    s.must(['start', d2])
    const mem = s
      .must(['exec', d2, '--', 'free', '-m'])
      .split('\n')
      .find((l) => l.startsWith('Mem:'))!
    const total = Number(mem.split(/\s+/)[1])
    assert.ok(total > 480 && total <= 512, `free -m total: ${mem}`)
    assert.match(s.must(['exec', d2, '--', 'grep', 'MemTotal', '/proc/meminfo']), /MemTotal:\s+524288 kB/)
    assert.equal(s.must(['exec', d2, '--', 'nproc']), '1\n')
    const uptime = Number(s.must(['exec', d2, '--', 'cat', '/proc/uptime']).split(' ')[0])
    const hostUptime = Number(run('cat', ['/proc/uptime']).stdout.split(' ')[0])
    assert.ok(uptime < 120 && uptime < hostUptime, `container uptime ${uptime} s, host ${hostUptime} s`)
    assert.match(s.must(['exec', d2, '--', 'uptime']), /up\s+[0-9]+ min/)
  },
)

test(
  'SIGTERM to the daemon leaves both running; SIGPWR shuts them down cleanly within boot.host_shutdown_timeout',
  { skip },
  async () => {
    for (const name of [d1, d2]) s.must(['config', 'set', name, 'boot.host_shutdown_timeout=20'])
    assert.equal(await s.daemon().stop(), 0)
    for (const name of [d1, d2]) assert.equal(lxcState(name), 'RUNNING', `${name} survives a daemon restart`)
    s.setDaemon(await startCorrald(s.dir))
    for (const name of [d1, d2]) assert.equal(await systemState(name), 'running')

    const started = Date.now()
    const proc = s.daemon().proc
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
    proc.kill('SIGPWR')
    assert.equal(await exited, 0)
    const ms = Date.now() - started
    assert.ok(ms < 20_000, `the daemon stopped both within the timeout (${ms} ms)`)
    for (const name of [d1, d2]) {
      assert.equal(lxcState(name), 'STOPPED')
      assertOrderlyShutdown(journal(name, 0), `${name} at host shutdown`)
    }
    console.log(`# host shutdown (SIGPWR) of two Debian containers: ${ms} ms`)
    // They were running when the host went down: the next daemon start brings them back.
    s.setDaemon(await startCorrald(s.dir))
    for (const name of [d1, d2])
      await until(`${name} autostart`, () => (lxcState(name) === 'RUNNING' ? true : undefined))
  },
)
