/** @module System tier: `lxc info NAME` of the stock 5.0.2 client, running and stopped, with a snapshot. */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cgroupPrefix, repoRoot, run } from '../helpers/corrald.js'
import { instanceAddress, until } from '../helpers/instance-net.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { addTestBridge } from '../helpers/setup.js'

const skip = sessionSkipReason({ image: true, pool: true })
if (skip) console.log(`# skipping lxc info system tests: ${skip}`)
const tag = process.pid % 10_000
const name = `crl${tag}inf`
const bridge = `crlbr${tag}i`
const octet = 150 + (process.pid % 50)
let s: LxcSession

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-info', { image: true, pool: true })
  addTestBridge(s.must, bridge, octet)
  s.must(['launch', 'busybox', name])
  s.must(['snapshot', name, 'snap0'])
})

after(async () => {
  if (skip || !s) return
  s.lxc(['delete', name, '--force'])
  await s.close([name])
})

/** The labels of `lxc info`'s lines (the text before ": ", or the whole heading), indented as printed. */
function labels(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^[+|]/.test(l))
    .map((l) => l.replace(/^(\s*[^:]+:).*$/, '$1'))
}

/** The value printed after `label: ` on the first line with that label. */
function field(text: string, label: string): string {
  const line = text.split('\n').find((l) => l.trimStart().startsWith(`${label}: `))
  assert.ok(line, `lxc info prints "${label}:"\n${text}`)
  return line.slice(line.indexOf(': ') + 2)
}

/** A block of `lxc info`'s network section: the lines under `    <iface>:` up to the next interface. */
function netBlock(text: string, iface: string): string {
  const lines = text.split('\n')
  const start = lines.indexOf(`    ${iface}:`)
  assert.ok(start >= 0, `network section lists ${iface}\n${text}`)
  const rest = lines.slice(start + 1)
  const end = rest.findIndex((l) => !l.startsWith('      '))
  return rest.slice(0, end < 0 ? undefined : end).join('\n')
}

const size = /^\d+(\.\d+)?(B|KiB|MiB|GiB)$/
const layout = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2} \S+$/

test(
  'lxc info of a running instance prints what 5.0.2 prints for LXD, from the real container',
  { skip },
  async () => {
    const address = await until('a DHCP lease', () => instanceAddress(s, name, 'inet'))
    const out = s.must(['info', name])
    // 5.0.2's lxc/info.go, in its order: the header, Resources (processes, CPU, memory, network), Snapshots.
    const head = labels(out).slice(0, 12)
    assert.deepEqual(
      head,
      [
        'Name:',
        'Status:',
        'Type:',
        'Architecture:',
        'PID:',
        'Created:',
        'Last Used:',
        'Resources:',
        '  Processes:',
        ...(labels(out).includes('  CPU usage:') ? ['  CPU usage:', '    CPU usage (in seconds):'] : []),
        '  Memory usage:',
        '    Memory (current):',
      ].slice(0, 12),
    )
    assert.equal(field(out, 'Name'), name)
    assert.equal(field(out, 'Status'), 'RUNNING')
    assert.equal(field(out, 'Type'), 'container')
    assert.equal(field(out, 'Architecture'), 'x86_64')
    assert.match(field(out, 'Created'), layout)
    assert.match(field(out, 'Last Used'), layout)
    // The PID is the container's init as LXC knows it.
    const lxcPid = /PID:\s*(\d+)/.exec(
      run('lxc-info', ['-n', name, '-P', join(s.dir, 'containers'), '-p']).stdout,
    )?.[1]
    assert.equal(field(out, 'PID'), lxcPid)
    // Processes: the payload cgroup's count, read on the host.
    const pids = join('/sys/fs/cgroup/pids', `${cgroupPrefix(s.dir)}.payload.${name}`, 'pids.current')
    if (existsSync(pids)) assert.equal(field(out, 'Processes'), readFileSync(pids, 'utf8').trim())
    else assert.match(field(out, 'Processes'), /^[1-9]\d*$/)
    assert.match(field(out, 'Memory (current)'), size)
    assert.match(field(out, 'Memory (peak)'), size)
    assert.ok(out.includes('\n  Network usage:\n'), out)
    const eth0 = netBlock(out, 'eth0')
    assert.deepEqual(labels(eth0), [
      '      Type:',
      '      State:',
      '      Host interface:',
      '      MAC address:',
      '      MTU:',
      '      Bytes received:',
      '      Bytes sent:',
      '      Packets received:',
      '      Packets sent:',
      '      IP addresses:',
      ...labels(eth0).slice(10),
    ])
    assert.equal(field(eth0, 'Type'), 'broadcast')
    assert.equal(field(eth0, 'State'), 'UP')
    const hostIf = field(eth0, 'Host interface')
    assert.ok(existsSync(`/sys/class/net/${hostIf}`), `host interface ${hostIf} exists on the host`)
    const volatile = s.must(['config', 'get', name, 'volatile.eth0.hwaddr']).trim()
    assert.equal(field(eth0, 'MAC address'), volatile)
    assert.equal(field(eth0, 'MTU'), '1500')
    assert.match(field(eth0, 'Packets received'), /^[1-9]\d*$/, 'the DHCP exchange was counted')
    assert.match(eth0, new RegExp(`\\n        inet:  ${address.replace(/\./g, '\\.')}/24 \\(global\\)`))
    assert.match(netBlock(out, 'lo'), /\n {8}inet: {2}127\.0\.0\.1\/8 \(local\)/)
    assert.match(field(netBlock(out, 'lo'), 'Type'), /^loopback$/)
    // The snapshot table, as 5.0.2 renders it.
    assert.match(out, /\nSnapshots:\n\+-+\+/)
    assert.match(out, /\|\s+NAME\s+\|\s+TAKEN AT\s+\|\s+EXPIRES AT\s+\|\s+STATEFUL\s+\|/)
    assert.match(out, /\|\s+snap0\s+\|\s+\d{4}\/\d{2}\/\d{2} \d{2}:\d{2} \S+\s+\|\s+\|\s+NO\s+\|/)
    assert.ok(!out.includes('Backups:'), 'no backups, no backup table')
  },
)

test('lxc info --show-log appends LXC log of the instance', { skip }, () => {
  const out = s.must(['info', name, '--show-log'])
  assert.match(out, /\nLog:\n\n/)
})

test('lxc info of a stopped instance: no PID, no resources, the snapshot', { skip }, () => {
  s.must(['stop', name, '--force'])
  const out = s.must(['info', name])
  assert.deepEqual(labels(out), [
    'Name:',
    'Status:',
    'Type:',
    'Architecture:',
    'Created:',
    'Last Used:',
    'Snapshots:',
  ])
  assert.equal(field(out, 'Status'), 'STOPPED')
  assert.match(out, /\|\s+snap0\s+\|/)
})

test(
  'GET /1.0/instances/NAME/backups lists the (empty) backups; the full form carries them',
  { skip },
  () => {
    assert.deepEqual(JSON.parse(s.must(['query', `/1.0/instances/${name}/backups`])), [])
    const full = JSON.parse(s.must(['query', `/1.0/instances/${name}?recursion=1`])) as Record<
      string,
      unknown
    >
    // LXD renders no backups as null.
    assert.ok(
      full.backups === null || (Array.isArray(full.backups) && full.backups.length === 0),
      String(full.backups),
    )
    assert.ok(full.state && Array.isArray(full.snapshots), 'recursion=1 gives state and snapshots')
    const missing = s.lxc(['query', '/1.0/instances/nope-missing/backups'])
    assert.notEqual(missing.status, 0)
    assert.match(missing.stderr, /not found/i)
  },
)

test(
  'lxc info prints the labels a reference LXD 5.0.2 printed here, running without a NIC and stopped',
  { skip },
  () => {
    const bare = `${name}b`
    const observed = (file: string) =>
      labels(readFileSync(join(repoRoot, 'test/fixtures/lxd-observed', file), 'utf8'))
    // Recorded from ../shared/tools/reference-lxd with the same busybox image, one snapshot, no NIC.
    s.must(['init', 'busybox', bare])
    try {
      // The profile's eth0 masked by a none device: the container has only lo.
      s.must(['config', 'device', 'add', bare, 'eth0', 'none'])
      s.must(['start', bare])
      s.must(['snapshot', bare, 's1'])
      assert.deepEqual(labels(s.must(['info', bare])), observed('lxc-info-running-no-nic.txt'))
      s.must(['stop', bare, '--force'])
      assert.deepEqual(labels(s.must(['info', bare])), observed('lxc-info-stopped.txt'))
    } finally {
      s.lxc(['delete', bare, '--force'])
    }
  },
)
