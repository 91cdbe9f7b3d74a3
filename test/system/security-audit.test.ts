/**
 * @module System tier: `corral security audit` and LXD's warnings on real containers, a real bridge,
 * a real TLS listener and real certificates; each finding's printed fix is run as printed.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { AuditFinding, Warning } from '@corral/api'
import { makeClientCert } from '../helpers/certs.js'
import { corralBin, freePort, run } from '../helpers/corrald.js'
import { until } from '../helpers/instance-net.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { addForwardGuard } from '../helpers/net-guard.js'

const skip = sessionSkipReason({ image: true, pool: true }, ['dnsmasq'])
const tag = String(process.pid % 100000)
const net = `crta${tag}`
const c1 = `au1x${tag}`
const c2 = `au2x${tag}`
const project = `aup${tag}`
const subnet = 100 + (process.pid % 150)
let s: LxcSession
let work = ''
let shim = ''
let port = 0
let tenant = { cert: '', key: '' }
let tenantFp = ''
let removeGuard = () => {}

/** The environment `corral` and the fixes run in: this daemon, a client config of the test's own. */
const corralEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  CORRAL_DIR: s.dir,
  CORRAL_CONF: join(work, 'corral'),
  PATH: `${shim}:${process.env.PATH ?? '/usr/bin:/bin'}`,
})
const corral = (args: string[]) => run(corralBin, args, { env: corralEnv() })

/** Runs an audit; returns its exit status and findings (from --format json). */
function audit(): { status: number | null; findings: AuditFinding[] } {
  const r = corral(['security', 'audit', '--format', 'json'])
  assert.ok(r.status === 0 || r.status === 1, `audit failed: ${r.stderr}`)
  return { status: r.status, findings: JSON.parse(r.stdout) as AuditFinding[] }
}

const findingsOf = (id: string, subject?: string) =>
  audit().findings.filter((f) => f.id === id && (subject === undefined || f.subject === subject))

/** Runs a fix exactly as printed, through a POSIX shell, with `corral` on the PATH. */
function applyFix(fix: string): void {
  const r = run('sh', ['-c', fix], { env: corralEnv() })
  assert.equal(r.status, 0, `fix "${fix}" failed: ${r.stderr}`)
}

/** The warnings as the stock client lists them (all statuses with --all). */
function stockWarnings(all = false): Warning[] {
  return JSON.parse(s.must(['warning', 'list', ...(all ? ['--all'] : []), '--format', 'json'])) as Warning[]
}

/** Waits until the stock client shows a warning of the type on the entity, with a status. */
function untilWarning(type: string, entity: string, status: string): Promise<Warning> {
  return until(`${type} ${status} on ${entity}`, () =>
    stockWarnings(true).find((w) => w.type === type && w.entity_url === entity && w.status === status),
  )
}

/** One request on the unix socket, answered with the parsed envelope. */
function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: s.daemon().socket, method, path, headers: { Host: 'corral' } },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString('utf8')))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
        )
      },
    )
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

/** One request over TLS on loopback as the tenant's certificate. */
function asTenant(method: string, path: string, body?: unknown, at = port): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: at,
        method,
        path,
        cert: tenant.cert,
        key: tenant.key,
        rejectUnauthorized: false,
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

const instanceUrl = (name: string) => `/1.0/instances/${name}?project=default`

before(async () => {
  if (skip) return
  removeGuard = addForwardGuard(`a${tag}`)
  work = mkdtempSync('/tmp/corral-audit-work-')
  shim = join(work, 'bin')
  mkdirSync(shim)
  symlinkSync(corralBin, join(shim, 'corral'))
  s = await startLxcSession('corral-audit', { image: true, pool: true })
  s.must([
    'network',
    'create',
    net,
    `ipv4.address=198.19.${subnet}.1/24`,
    `ipv6.address=fd42:19:${subnet.toString(16)}::1/64`,
    'ipv4.routing=false',
    'ipv6.routing=false',
  ])
  // Our own bridge: whether the host takes router advertisements there is the test's choice.
  writeFileSync(`/proc/sys/net/ipv6/conf/${net}/accept_ra`, '0')
  s.must(['project', 'create', project])
  port = await freePort()
  s.must(['config', 'set', 'core.https_address', `127.0.0.1:${port}`])
  const made = makeClientCert(work, `tenant${tag}`)
  tenant = { cert: readFileSync(made.cert, 'utf8'), key: readFileSync(made.key, 'utf8') }
})

after(async () => {
  if (skip) return
  try {
    for (const c of [c1, c2]) s.lxc(['stop', c, '--force'])
    await s.close([c1, c2])
  } finally {
    rmSync(work, { recursive: true, force: true })
    removeGuard()
  }
})

test(
  'a privileged instance, raw.lxc and two unfiltered NICs on one bridge raise warnings by themselves, seen by the stock client',
  { skip },
  async () => {
    s.must(['init', 'busybox', c1, '-c', 'security.privileged=true'])
    s.must(['init', 'busybox', c2, '-c', 'raw.lxc=lxc.environment = CORRAL_AUDIT=1'])
    for (const [c, host] of [
      [c1, `crta1${tag}`],
      [c2, `crta2${tag}`],
    ] as const) {
      s.must(['config', 'device', 'add', c, 'eth0', 'nic', `network=${net}`, `host_name=${host}`])
      s.must(['start', c])
    }
    // Really privileged, really started: host root is its root.
    assert.match(s.must(['exec', c1, '--', 'cat', '/proc/self/uid_map']), /^\s*0\s+0\s+4294967295\s*$/)
    // No audit was asked for: the daemon re-evaluated after the changes.
    await untilWarning('security: privileged-instance', instanceUrl(c1), 'new')
    await untilWarning('security: raw-config', instanceUrl(c2), 'new')
    await untilWarning('security: nic-unfiltered', instanceUrl(c1), 'new')
    const w = await untilWarning('security: nic-unfiltered', instanceUrl(c2), 'new')
    assert.equal(w.severity, 'moderate')
    assert.equal(w.project, 'default')
    const table = s.must(['warning', 'list'])
    assert.match(table, /security: privileged-instance/)
    assert.match(table, /\| NEW +\| MODERATE/)
  },
)

test(
  'each finding has its subject, its warning the same severity and entity; the audit exits 1',
  { skip },
  () => {
    const { status, findings } = audit()
    assert.equal(status, 1)
    const expect: [string, string, string][] = [
      [
        'privileged-instance',
        instanceUrl(c1),
        `corral config unset ${c1} security.privileged && corral restart ${c1}`,
      ],
      ['raw-config', instanceUrl(c2), `corral config unset ${c2} raw.lxc && corral restart ${c2}`],
      [
        'nic-unfiltered',
        instanceUrl(c1),
        `corral config device set ${c1} eth0 security.ipv4_filtering=true security.ipv6_filtering=true`,
      ],
      [
        'nic-unfiltered',
        instanceUrl(c2),
        `corral config device set ${c2} eth0 security.ipv4_filtering=true security.ipv6_filtering=true`,
      ],
    ]
    const warnings = stockWarnings(true)
    for (const [id, subject, fix] of expect) {
      const f = findings.find((x) => x.id === id && x.subject === subject)
      assert.ok(f, `${id} on ${subject}`)
      assert.equal(f.fix, fix)
      assert.equal(f.severity, 'moderate')
      const w = warnings.find((x) => x.type === `security: ${id}` && x.entity_url === subject)
      assert.ok(w, `warning for ${id} on ${subject}`)
      assert.equal(w.severity, f.severity)
      assert.equal(w.last_message, f.message)
    }
    assert.equal(
      findingsOf('bridge-accept-ra').length,
      0,
      'the host ignores router advertisements on the bridge',
    )
  },
)

test(
  'bridge-accept-ra: the host taking advertisements on the bridge is a finding; its fix filters IPv6 on each NIC',
  { skip },
  async () => {
    writeFileSync(`/proc/sys/net/ipv6/conf/${net}/accept_ra`, '2')
    const subject = `/1.0/networks/${net}?project=default`
    const [f] = findingsOf('bridge-accept-ra', subject)
    assert.ok(f, 'finding on the network')
    assert.equal(
      f.fix,
      `corral config device set ${c1} eth0 security.ipv6_filtering=true && corral config device set ${c2} eth0 security.ipv6_filtering=true`,
    )
    applyFix(f.fix)
    assert.deepEqual(findingsOf('bridge-accept-ra'), [])
    await untilWarning('security: bridge-accept-ra', subject, 'resolved')
    // The NICs still lack IPv4 filtering: that finding stays, with only what is missing.
    assert.equal(
      findingsOf('nic-unfiltered', instanceUrl(c1))[0]?.fix,
      `corral config device set ${c1} eth0 security.ipv4_filtering=true`,
    )
  },
)

test(
  'nic-unfiltered: the printed fix turns the filters on at once and the finding goes',
  { skip },
  async () => {
    for (const c of [c1, c2]) {
      const [f] = findingsOf('nic-unfiltered', instanceUrl(c))
      assert.ok(f)
      applyFix(f.fix)
      assert.deepEqual(findingsOf('nic-unfiltered', instanceUrl(c)), [])
      const expanded = s.must(['config', 'show', c, '--expanded'])
      assert.match(expanded, /security.ipv4_filtering: "true"/)
      assert.match(expanded, /security.ipv6_filtering: "true"/)
      await untilWarning('security: nic-unfiltered', instanceUrl(c), 'resolved')
    }
    assert.equal(
      stockWarnings().filter((w) => w.type === 'security: nic-unfiltered').length,
      0,
      'resolved warnings are not in the default list',
    )
  },
)

test(
  'privileged-instance and raw-config: the fix (with its restart) leaves an unprivileged container without raw.lxc',
  { skip },
  async () => {
    const [priv] = findingsOf('privileged-instance', instanceUrl(c1))
    applyFix(priv!.fix)
    assert.deepEqual(findingsOf('privileged-instance'), [])
    const map = s.must(['exec', c1, '--', 'cat', '/proc/self/uid_map']).trim().split(/\s+/).map(Number)
    assert.equal(map[0], 0)
    assert.notEqual(map[1], 0, 'root is no longer host root')
    await untilWarning('security: privileged-instance', instanceUrl(c1), 'resolved')
    const [raw] = findingsOf('raw-config', instanceUrl(c2))
    applyFix(raw!.fix)
    assert.deepEqual(findingsOf('raw-config'), [])
    assert.doesNotMatch(s.must(['config', 'show', c2, '--expanded']), /raw\.lxc/)
    assert.doesNotMatch(s.must(['exec', c2, '--', 'env']), /CORRAL_AUDIT/)
    await untilWarning('security: raw-config', instanceUrl(c2), 'resolved')
    // Both unprivileged on the shared map now: a low finding each.
    assert.equal(findingsOf('idmap-shared').length, 2)
  },
)

test(
  'https-wildcard: 0.0.0.0:<port> is a finding; the fix binds 127.0.0.1 and the listener follows',
  { skip },
  async () => {
    const wild = await freePort()
    s.must(['config', 'set', 'core.https_address', `0.0.0.0:${wild}`])
    const { status, findings } = audit()
    assert.equal(status, 1)
    const f = findings.find((x) => x.id === 'https-wildcard')
    assert.ok(f)
    assert.equal(f.subject, '/1.0')
    assert.equal(f.fix, `corral config set core.https_address=127.0.0.1:${wild}`)
    await untilWarning('security: https-wildcard', '/1.0', 'new')
    applyFix(f.fix)
    assert.deepEqual(findingsOf('https-wildcard'), [])
    assert.equal(s.must(['config', 'get', 'core.https_address']).trim(), `127.0.0.1:${wild}`)
    assert.equal(await asTenant('GET', '/1.0', undefined, wild), 200, 'the listener moved to 127.0.0.1')
    await untilWarning('security: https-wildcard', '/1.0', 'resolved')
    s.must(['config', 'set', 'core.https_address', `127.0.0.1:${port}`])
  },
)

test(
  'restricted-cert-unrestricted-project: high; that certificate gets 403 from every warnings endpoint and the audit; the fix restricts the project',
  { skip },
  async () => {
    const added = s.lxc([
      'query',
      '-X',
      'POST',
      '-d',
      JSON.stringify({
        type: 'client',
        name: `tenant${tag}`,
        certificate: tenant.cert,
        restricted: true,
        projects: [project],
      }),
      '/1.0/certificates',
    ])
    assert.equal(added.status, 0, added.stderr)
    const cert = (
      JSON.parse(s.must(['query', '/1.0/certificates?recursion=1'])) as {
        name: string
        fingerprint: string
      }[]
    ).find((c) => c.name === `tenant${tag}`)!
    tenantFp = cert.fingerprint
    const subject = `/1.0/certificates/${tenantFp}`
    const { status, findings } = audit()
    assert.equal(status, 1)
    const f = findings.find((x) => x.id === 'restricted-cert-unrestricted-project')
    assert.ok(f)
    assert.equal(f.severity, 'high')
    assert.equal(f.subject, subject)
    assert.equal(f.fix, `corral project set ${project} restricted=true`)
    const w = await untilWarning('security: restricted-cert-unrestricted-project', subject, 'new')
    assert.equal(w.severity, 'high')
    // As that tenant over TLS: warnings are admin-only, stricter than LXD; nothing changes.
    const before = stockWarnings(true)
    for (const [method, path, body] of [
      ['GET', '/1.0/warnings'],
      ['GET', `/1.0/warnings?recursion=1&project=${project}`],
      ['GET', `/1.0/warnings/${w.uuid}`],
      ['PUT', `/1.0/warnings/${w.uuid}`, { status: 'acknowledged' }],
      ['PATCH', `/1.0/warnings/${w.uuid}`, { status: 'acknowledged' }],
      ['DELETE', `/1.0/warnings/${w.uuid}`],
      ['GET', `/1.0/security/audit?project=${project}`],
    ] as [string, string, unknown?][])
      assert.equal(await asTenant(method, path, body), 403, `${method} ${path}`)
    assert.equal(
      await asTenant('GET', `/1.0/instances?project=${project}`),
      200,
      'the tenant is trusted in its project',
    )
    assert.deepEqual(stockWarnings(true), before)
    applyFix(f.fix)
    assert.deepEqual(findingsOf('restricted-cert-unrestricted-project'), [])
    await untilWarning('security: restricted-cert-unrestricted-project', subject, 'resolved')
  },
)

test(
  'lxc warning ack hides a warning, --all shows it; delete removes it; a cause still there raises it again',
  { skip },
  async () => {
    s.must(['config', 'set', c2, 'security.nesting=true'])
    const w = await untilWarning('security: nesting', instanceUrl(c2), 'new')
    assert.equal(w.severity, 'low')
    s.must(['warning', 'ack', w.uuid])
    assert.ok(!stockWarnings().some((x) => x.uuid === w.uuid))
    assert.equal(stockWarnings(true).find((x) => x.uuid === w.uuid)?.status, 'acknowledged')
    assert.match(s.must(['warning', 'show', w.uuid]), /status: acknowledged/)
    // Still seen by the next evaluation: it stays acknowledged.
    audit()
    assert.equal(stockWarnings(true).find((x) => x.uuid === w.uuid)?.status, 'acknowledged')
    s.must(['warning', 'delete', w.uuid])
    assert.ok(!stockWarnings(true).some((x) => x.uuid === w.uuid))
    const gone = s.lxc(['warning', 'show', w.uuid])
    assert.notEqual(gone.status, 0)
    assert.match(gone.stderr, /Warning not found/)
    const again = await (async () => {
      audit()
      return untilWarning('security: nesting', instanceUrl(c2), 'new')
    })()
    assert.notEqual(again.uuid, w.uuid)
    s.must(['config', 'unset', c2, 'security.nesting'])
    await untilWarning('security: nesting', instanceUrl(c2), 'resolved')
  },
)

test(
  'bad input: an unknown uuid is a 404 envelope; an unknown status is 400 and changes nothing',
  { skip },
  async () => {
    const missing = await api('GET', '/1.0/warnings/6b1d2f2e-0000-4000-8000-000000000000')
    assert.equal(missing.status, 404)
    assert.deepEqual(missing.body, {
      type: 'error',
      status: '',
      status_code: 0,
      operation: '',
      error_code: 404,
      error: 'Warning not found',
      metadata: null,
    })
    const w = stockWarnings(true)[0]!
    const before = await api('GET', `/1.0/warnings/${w.uuid}`)
    const bad = await api('PUT', `/1.0/warnings/${w.uuid}`, { status: 'bogus' })
    assert.equal(bad.status, 400)
    assert.equal(bad.body.error, 'Invalid warning type "bogus"')
    assert.equal(bad.body.type, 'error')
    assert.deepEqual(await api('GET', `/1.0/warnings/${w.uuid}`), before)
    const stock = s.lxc(['query', '-X', 'PUT', '-d', '{"status":"resolved"}', `/1.0/warnings/${w.uuid}`])
    assert.notEqual(stock.status, 0)
    assert.deepEqual(await api('GET', `/1.0/warnings/${w.uuid}`), before)
  },
)

test(
  'os-updates: reported exactly when apt, reading the same lists, has security updates to install',
  { skip },
  () => {
    const log = mkdtempSync('/tmp/corral-audit-apt-')
    try {
      // The whole archive this time, not only the security suites the daemon reads: an independent count.
      const sim = run('apt-get', [
        '-s',
        '-qq',
        '-o',
        'Debug::NoLocking=1',
        '-o',
        `Dir::Log=${log}`,
        '-o',
        'Dir::Cache::pkgcache=',
        '-o',
        'Dir::Cache::srcpkgcache=',
        'dist-upgrade',
      ])
      assert.equal(sim.status, 0, sim.stderr)
      const upgradable = [...sim.stdout.matchAll(/^Inst (\S+) /gm)].map((m) => m[1]!)
      const security = [...sim.stdout.matchAll(/^Inst (\S+) .*-security/gm)].map((m) => m[1]!)
      const found = findingsOf('os-updates')
      assert.equal(found.length, security.length > 0 ? 1 : 0)
      if (found.length === 0) return
      assert.equal(found[0]!.subject, '/1.0')
      assert.equal(found[0]!.fix, 'apt-get update && apt-get upgrade')
      const named = /: (.*?)(?: and \d+ more)?$/.exec(found[0]!.message)![1]!.split(', ')
      for (const p of named) assert.ok(upgradable.includes(p), `${p} has a pending update`)
    } finally {
      rmSync(log, { recursive: true, force: true })
    }
  },
)

test('trust-password: a set core.trust_password is a finding; its fix unsets it', { skip }, (t) => {
  const set = s.lxc(['config', 'set', 'core.trust_password', `pw-${tag}`])
  if (set.status !== 0 && /Unknown key/.test(set.stderr)) {
    t.skip('this daemon does not take core.trust_password yet (it arrives with issue 13)')
    return
  }
  assert.equal(set.status, 0, set.stderr)
  const [f] = findingsOf('trust-password', '/1.0')
  assert.ok(f, 'finding')
  assert.equal(f.severity, 'moderate')
  assert.equal(f.fix, 'corral config unset core.trust_password')
  applyFix(f.fix)
  assert.deepEqual(findingsOf('trust-password'), [])
})
