/**
 * @module System tier: `lxc copy` and `lxc move` between two corralds over TLS with the stock
 * client (LXD's migration protocol: pull, push and relay), and to the same server through a
 * remote. Files are compared by checksum; a change rsync's quick check would skip still arrives;
 * live migration, a wrong secret and a restricted tenant's privileged copy are refused.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { freePort, run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { stockClientEnv } from '../helpers/stock-client.js'
import { addRestrictedProject, btrfsSkipReason, pylxdSkipReason } from '../helpers/setup.js'

const skip = sessionSkipReason({ image: true, pool: true })
const tag = process.pid % 100000
const tenantProject = `mt${tag}`
let a: LxcSession
let b: LxcSession
let portA = 0
let portB = 0
let tenantHome = ''

/** A fixed mtime: the snapshot's and the instance's versions of a file share it (and their size). */
const stamp = '@1700000000'

const volume = (s: LxcSession, name: string, project = 'default') =>
  join(s.dir, 'storage-pools/default/containers', project === 'default' ? name : `${project}_${name}`)
const snapshotVolume = (s: LxcSession, name: string, snap: string) =>
  join(s.dir, 'storage-pools/default/containers-snapshots', name, snap)

/** Every entry's path, type, mode, owner and size (not a directory's: file systems differ), and every file's sha256. */
function tree(dir: string): string {
  const r = run('sh', [
    '-c',
    `cd "$1" && find . -xdev -mindepth 1 -printf '%P %y %m %U:%G %s %l\\n' | awk '$2 == "d" { $5 = "-" } 1' | sort && find . -xdev -type f -print0 | sort -z | xargs -0 -r sha256sum`,
    'sh',
    dir,
  ])
  assert.equal(r.status, 0, r.stderr)
  // A digest keeps a mismatch's report short; `listing` shows the entries themselves when needed.
  return `${r.stdout.split('\n').length} entries, sha256 ${createHash('sha256').update(r.stdout).digest('hex')}`
}

/** Writes `text` to /f in a running container and gives it the fixed mtime. */
function writeStamped(s: LxcSession, ref: string, text: string): void {
  s.must(['exec', ref, '--', 'sh', '-c', `printf ${text} > /f && touch -d ${stamp} /f && sync`])
}

const catF = (s: LxcSession, ref: string) => s.must(['exec', ref, '--', 'cat', '/f'])
const names = (s: LxcSession, remote: string) =>
  s
    .must(['list', `${remote}:`, '--format', 'csv', '-c', 'n'])
    .trim()
    .split('\n')
    .filter(Boolean)
    .sort()

/** A token of `on`, redeemed by a client (a's by default) as remote `name`. */
function addRemote(on: LxcSession, name: string, extra: string[] = [], must = a.must): void {
  const lines = on
    .must(['config', 'trust', 'add', '--name', `mig-${name}`, ...extra])
    .trim()
    .split('\n')
  must(['remote', 'add', name, lines[lines.length - 1]!])
}

before(async () => {
  if (skip) return
  a = await startLxcSession('corral-miga', { image: true, pool: true })
  b = await startLxcSession('corral-migb', { pool: true })
  portA = await freePort()
  portB = await freePort()
  a.must(['config', 'set', 'core.https_address', `127.0.0.1:${portA}`])
  b.must(['config', 'set', 'core.https_address', `127.0.0.1:${portB}`])
  // a's client reaches a over TLS as `self` and b as `b`, as `lxc remote add` with tokens does.
  addRemote(a, 'self')
  addRemote(b, 'b')
  // c1: /f is AAAA in snapshot s1 and BBBB now, same size and same mtime (rsync's quick check would skip it).
  a.must(['launch', 'busybox', 'c1'])
  writeStamped(a, 'c1', 'AAAA')
  a.must(['exec', 'c1', '--', 'sh', '-c', 'mkdir -p /data && seq 1 20000 > /data/numbers && sync'])
  a.must(['stop', 'c1', '--force'])
  a.must(['snapshot', 'c1', 's1'])
  a.must(['start', 'c1'])
  writeStamped(a, 'c1', 'BBBB')
  a.must(['stop', 'c1', '--force'])
})

after(async () => {
  if (skip) return
  if (tenantHome) rmSync(tenantHome, { recursive: true, force: true })
  await b?.close()
  await a?.close()
})

test(
  'lxc copy between two corralds over TLS (pull): instance and snapshot byte-identical, the same-second change arrives',
  { skip },
  () => {
    a.must(['copy', 'self:c1', 'b:c1'])
    assert.deepEqual(names(a, 'b'), ['c1'])
    // The target's operation reported its progress under LXD's key (the client prints it on a terminal).
    const ops = JSON.parse(a.must(['query', 'b:/1.0/operations?recursion=1'])) as Record<
      string,
      { metadata: Record<string, string> | null }[]
    >
    const progress = (ops.success ?? []).map((o) => o.metadata?.fs_progress ?? '')
    assert.ok(
      progress.some((p) => /^c1: [\d.]+[kMG]?B \([\d.]+[kMG]?B\/s\)$/.test(p)),
      JSON.stringify(progress),
    )
    assert.equal(tree(volume(b, 'c1') + '/rootfs'), tree(volume(a, 'c1') + '/rootfs'))
    assert.equal(
      tree(snapshotVolume(b, 'c1', 's1') + '/rootfs'),
      tree(snapshotVolume(a, 'c1', 's1') + '/rootfs'),
    )
    assert.equal(readFileSync(join(volume(b, 'c1'), 'rootfs/f'), 'utf8'), 'BBBB')
    assert.equal(readFileSync(join(snapshotVolume(b, 'c1', 's1'), 'rootfs/f'), 'utf8'), 'AAAA')
    assert.match(a.must(['query', 'b:/1.0/instances/c1/snapshots']), /\/1\.0\/instances\/c1\/snapshots\/s1/)
    a.must(['start', 'b:c1'])
    assert.equal(catF(a, 'b:c1'), 'BBBB')
    assert.equal(a.must(['exec', 'b:c1', '--', 'hostname']).trim(), 'c1')
    a.must(['stop', 'b:c1', '--force'])
  },
)

test('lxc copy of a snapshot to the other server: the snapshot as an instance of its own', { skip }, () => {
  a.must(['copy', 'self:c1/s1', 'b:fromsnap'])
  assert.equal(tree(volume(b, 'fromsnap') + '/rootfs'), tree(snapshotVolume(a, 'c1', 's1') + '/rootfs'))
  assert.equal(readFileSync(join(volume(b, 'fromsnap'), 'rootfs/f'), 'utf8'), 'AAAA')
  assert.equal(a.must(['query', 'b:/1.0/instances/fromsnap/snapshots']).trim(), '[]')
  a.must(['copy', 'self:c1/s1', 'b:fromsnap2', '--mode', 'push'])
  assert.equal(readFileSync(join(volume(b, 'fromsnap2'), 'rootfs/f'), 'utf8'), 'AAAA')
  b.must(['delete', 'fromsnap', 'fromsnap2'])
})

test('push and relay modes, and --instance-only (no snapshots)', { skip }, () => {
  a.must(['copy', 'self:c1', 'b:pushed', '--mode', 'push'])
  a.must(['copy', 'self:c1', 'b:relayed', '--mode', 'relay'])
  for (const n of ['pushed', 'relayed']) {
    assert.equal(tree(volume(b, n) + '/rootfs'), tree(volume(a, 'c1') + '/rootfs'), n)
    assert.equal(
      tree(snapshotVolume(b, n, 's1') + '/rootfs'),
      tree(snapshotVolume(a, 'c1', 's1') + '/rootfs'),
      n,
    )
  }
  a.must(['copy', 'self:c1', 'b:alone', '--instance-only'])
  assert.equal(tree(volume(b, 'alone') + '/rootfs'), tree(volume(a, 'c1') + '/rootfs'))
  assert.equal(a.must(['query', 'b:/1.0/instances/alone/snapshots']).trim(), '[]')
  assert.equal(existsSync(join(b.dir, 'storage-pools/default/containers-snapshots/alone')), false)
})

test(
  'a running source: live (the default) is refused with a clear error; --stateless sends what it holds at the end',
  { skip },
  () => {
    a.must(['start', 'c1'])
    const live = a.lxc(['copy', 'self:c1', 'b:live'])
    assert.notEqual(live.status, 0)
    assert.match(live.stderr, /Live migration is not supported.*--stateless/)
    assert.equal(names(a, 'b').includes('live'), false)
    // Changed just before the copy, same size and same mtime as the data sent in the pass before.
    writeStamped(a, 'c1', 'CCCC')
    a.must(['copy', 'self:c1', 'b:hot', '--stateless'])
    assert.equal(readFileSync(join(volume(b, 'hot'), 'rootfs/f'), 'utf8'), 'CCCC')
    assert.equal(readFileSync(join(snapshotVolume(b, 'hot', 's1'), 'rootfs/f'), 'utf8'), 'AAAA')
    const moved = a.lxc(['move', 'self:c1', 'b:hot2'])
    assert.notEqual(moved.status, 0, 'a live move is refused too')
    assert.match(moved.stderr, /Live migration is not supported/)
    a.must(['stop', 'c1', '--force'])
  },
)

test('lxc move --stateless of a running instance: stopped here, running there', { skip }, () => {
  a.must(['launch', 'busybox', 'mv1'])
  writeStamped(a, 'mv1', 'MOVE')
  a.must(['move', 'self:mv1', 'b:mv1', '--stateless'])
  assert.equal(names(a, 'local').includes('mv1'), false)
  assert.match(a.must(['list', 'b:mv1', '--format', 'csv', '-c', 'ns']), /^mv1,RUNNING$/m)
  assert.equal(catF(a, 'b:mv1'), 'MOVE')
  a.must(['delete', 'b:mv1', '--force'])
})

test('to the same server through a remote (local: to self:)', { skip }, () => {
  a.must(['copy', 'local:c1', 'self:twin'])
  assert.equal(tree(volume(a, 'twin') + '/rootfs'), tree(volume(a, 'c1') + '/rootfs'))
  assert.equal(
    tree(snapshotVolume(a, 'twin', 's1') + '/rootfs'),
    tree(snapshotVolume(a, 'c1', 's1') + '/rootfs'),
  )
  a.must(['start', 'twin'])
  assert.equal(catF(a, 'twin'), 'CCCC')
  a.must(['delete', 'twin', '--force'])
})

test('lxc move between the two corralds: gone from the source, whole on the target', { skip }, () => {
  const before = tree(volume(a, 'c1') + '/rootfs')
  const snapBefore = tree(snapshotVolume(a, 'c1', 's1') + '/rootfs')
  const uuid = a.must(['config', 'get', 'c1', 'volatile.uuid']).trim()
  a.must(['move', 'self:c1', 'b:moved'])
  assert.equal(names(a, 'local').includes('c1'), false)
  assert.equal(existsSync(volume(a, 'c1')), false)
  assert.equal(tree(volume(b, 'moved') + '/rootfs'), before)
  assert.equal(tree(snapshotVolume(b, 'moved', 's1') + '/rootfs'), snapBefore)
  // A move keeps the instance's identity, as LXD's does.
  assert.equal(a.must(['config', 'get', 'b:moved', 'volatile.uuid']).trim(), uuid)
  a.must(['start', 'b:moved'])
  assert.equal(catF(a, 'b:moved'), 'CCCC')
  a.must(['stop', 'b:moved', '--force'])
  // And back again, to a's own name (the start above applied the hostname template: `moved`).
  const there = tree(volume(b, 'moved') + '/rootfs')
  a.must(['move', 'b:moved', 'self:c1'])
  assert.equal(tree(volume(a, 'c1') + '/rootfs'), there)
  assert.equal(names(a, 'b').includes('moved'), false)
  assert.equal(existsSync(volume(b, 'moved')), false)
})

test('a wrong secret is refused: the websocket with 403, a pull with it creates nothing', { skip }, () => {
  const op = JSON.parse(
    a.must(['query', '-X', 'POST', '/1.0/instances/c1', '--data', '{"migration": true, "live": false}']),
  ) as { id: string; metadata: Record<string, string> }
  assert.deepEqual(Object.keys(op.metadata).sort(), ['control', 'fs'])
  const ws = run('curl', [
    '-sk',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '-H',
    'Connection: Upgrade',
    '-H',
    'Upgrade: websocket',
    '-H',
    'Sec-WebSocket-Version: 13',
    '-H',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    `https://127.0.0.1:${portA}/1.0/operations/${op.id}/websocket?secret=wrong`,
  ])
  assert.equal(ws.stdout, '403')
  const cert = readFileSync(join(a.dir, 'server.crt'), 'utf8')
  const body = {
    name: 'stolen',
    architecture: 'x86_64',
    profiles: ['default'],
    source: {
      type: 'migration',
      mode: 'pull',
      operation: `https://127.0.0.1:${portA}/1.0/operations/${op.id}`,
      secrets: { control: 'wrong', fs: 'wrong' },
      certificate: cert,
    },
  }
  const r = a.lxc(['query', '--wait', '-X', 'POST', 'b:/1.0/instances', '--data', JSON.stringify(body)])
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, /403/)
  assert.equal(names(a, 'b').includes('stolen'), false)
  assert.equal(existsSync(volume(b, 'stolen')), false)
  a.must(['query', '-X', 'DELETE', `/1.0/operations/${op.id}`])
  // Push mode: a target waits with its own secrets; a source given wrong ones is refused by it.
  const push = JSON.parse(
    a.must([
      'query',
      '-X',
      'POST',
      'b:/1.0/instances',
      '--data',
      JSON.stringify({
        name: 'pushed-in',
        architecture: 'x86_64',
        source: { type: 'migration', mode: 'push' },
      }),
    ]),
  ) as { id: string; metadata: Record<string, string> }
  assert.deepEqual(Object.keys(push.metadata).sort(), ['control', 'fs'])
  const target = {
    operation: `https://127.0.0.1:${portB}/1.0/operations/${push.id}`,
    secrets: { control: 'wrong', fs: 'wrong' },
    certificate: readFileSync(join(b.dir, 'server.crt'), 'utf8'),
  }
  const sent = a.lxc([
    'query',
    '--wait',
    '-X',
    'POST',
    '/1.0/instances/c1',
    '--data',
    JSON.stringify({ migration: true, live: false, target }),
  ])
  assert.notEqual(sent.status, 0)
  assert.match(sent.stderr, /403/)
  a.must(['query', '-X', 'DELETE', `b:/1.0/operations/${push.id}`])
  assert.equal(names(a, 'b').includes('pushed-in'), false)
  assert.equal(existsSync(volume(b, 'pushed-in')), false)
})

test(
  'a restricted tenant: a privileged or raw.lxc copy into its project is refused, nothing reaches the host',
  { skip },
  () => {
    addRestrictedProject(b.must, tenantProject, ['features.profiles=true', 'features.images=false'])
    // The tenant is another client (its own certificate): admin on a, restricted to its project on b.
    tenantHome = mkdtempSync('/tmp/corral-migt-')
    const env = stockClientEnv(tenantHome)
    const tenant = (args: string[]) => run('lxc', args, { env })
    const tenantMust = (args: string[]) => {
      const r = tenant(args)
      assert.equal(r.status, 0, `lxc ${args.join(' ')}: ${r.stderr}`)
      return r.stdout
    }
    addRemote(a, 'self', [], tenantMust)
    addRemote(b, 'tenant', ['--restricted', '--projects', tenantProject], tenantMust)
    a.must(['init', 'busybox', 'priv', '-c', 'security.privileged=true'])
    a.must([
      'init',
      'busybox',
      'rawlxc',
      '-c',
      `raw.lxc=lxc.hook.pre-start = /bin/touch /tmp/corral-mig-${tag}`,
    ])
    for (const n of ['priv', 'rawlxc']) {
      const r = tenant(['copy', `self:${n}`, `tenant:${n}`, '--target-project', tenantProject])
      assert.notEqual(r.status, 0, n)
      assert.match(r.stderr, /forbidden|not allowed|restricted/i, n)
      assert.equal(existsSync(volume(b, n, tenantProject)), false, n)
    }
    assert.equal(b.must(['list', '--project', tenantProject, '--format', 'csv']).trim(), '')
    assert.equal(existsSync(`/tmp/corral-mig-${tag}`), false)
    // A move carries the instance's volatile keys: volatile.uuid is low-level, as LXD 5.0.2 rules.
    const moved = tenant(['move', 'self:c1', 'tenant:mv', '--target-project', tenantProject])
    assert.notEqual(moved.status, 0)
    assert.match(moved.stderr, /volatile\.uuid.*forbidden/)
    assert.ok(names(a, 'local').includes('c1'), 'the source stays when the target refuses')
    // The same tenant may copy an ordinary container in.
    tenantMust(['copy', 'self:c1', 'tenant:ok', '--target-project', tenantProject])
    assert.equal(tree(volume(b, 'ok', tenantProject) + '/rootfs'), tree(volume(a, 'c1') + '/rootfs'))
    b.must(['delete', 'ok', '--project', tenantProject])
    a.must(['delete', 'priv', 'rawlxc'])
  },
)

test(
  'a device node containers may not use is refused on arrival; a copy onto an existing name is a 4xx; nothing is left',
  { skip },
  () => {
    a.must(['init', 'busybox', 'dev1'])
    // What a hostile source could list: a host disk's node inside the rootfs.
    const made = run('mknod', [join(volume(a, 'dev1'), 'rootfs/dev/sda'), 'b', '8', '0'])
    assert.equal(made.status, 0, made.stderr)
    const r = a.lxc(['copy', 'self:dev1', 'b:dev1'])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /block device \(8,0\)/)
    assert.equal(names(a, 'b').includes('dev1'), false)
    const containers = join(b.dir, 'storage-pools/default/containers')
    assert.deepEqual(
      run('ls', ['-A', containers])
        .stdout.split('\n')
        .filter((n) => n.includes('dev1')),
      [],
    )
    a.must(['delete', 'dev1'])
    // b:c1 exists from the first test: the target refuses before any transfer, and b:c1 is unchanged.
    const kept = tree(volume(b, 'c1') + '/rootfs')
    const again = a.lxc(['copy', 'self:c1', 'b:c1'])
    assert.notEqual(again.status, 0)
    assert.match(again.stderr, /already exists/)
    assert.equal(tree(volume(b, 'c1') + '/rootfs'), kept)
    // The source's operation was cancelled by the client, not left waiting for a peer.
    const ops = JSON.parse(a.must(['query', '/1.0/operations?recursion=1'])) as Record<
      string,
      { status: string }[]
    >
    assert.equal((ops.running ?? []).length, 0, JSON.stringify(ops))
  },
)

const btrfsSkip = skip ?? btrfsSkipReason()

test(
  'btrfs pools on both ends: received into subvolumes, snapshots read-only, sent back from them',
  { skip: btrfsSkip },
  () => {
    b.must(['storage', 'create', 'bt', 'btrfs', 'size=1GiB'])
    a.must(['storage', 'create', 'bt', 'btrfs', 'size=1GiB'])
    try {
      a.must(['copy', 'self:c1', 'b:onbtrfs', '--storage', 'bt'])
      const there = join(b.dir, 'storage-pools/bt/containers/onbtrfs')
      const snap = join(b.dir, 'storage-pools/bt/containers-snapshots/onbtrfs/s1')
      assert.equal(tree(there + '/rootfs'), tree(volume(a, 'c1') + '/rootfs'))
      assert.equal(tree(snap + '/rootfs'), tree(snapshotVolume(a, 'c1', 's1') + '/rootfs'))
      assert.equal(run('btrfs', ['subvolume', 'show', there]).status, 0, 'the instance is a subvolume')
      assert.match(run('btrfs', ['property', 'get', '-ts', snap, 'ro']).stdout, /ro=true/)
      a.must(['copy', 'b:onbtrfs', 'self:back', '--storage', 'bt'])
      assert.equal(tree(join(a.dir, 'storage-pools/bt/containers/back/rootfs')), tree(there + '/rootfs'))
      assert.equal(readFileSync(join(a.dir, 'storage-pools/bt/containers/back/rootfs/f'), 'utf8'), 'CCCC')
    } finally {
      b.lxc(['delete', 'onbtrfs', '--force'])
      a.lxc(['delete', 'back', '--force'])
      b.lxc(['storage', 'delete', 'bt'])
      a.lxc(['storage', 'delete', 'bt'])
    }
  },
)

const pylxdSkip = skip ?? pylxdSkipReason()

// pylxd 2.2's Container.migrate: POST {migration: true} on the source, a pull create on the
// target with the source's whole config (volatile keys too), then delete of the source.
const pylxdMigrate = `
import sys, warnings
warnings.filterwarnings('ignore')
import pylxd
conf, a, a_crt, b, b_crt, name = sys.argv[1:7]
cert = (conf + '/client.crt', conf + '/client.key')
src = pylxd.Client(endpoint=a, cert=cert, verify=a_crt)
dst = pylxd.Client(endpoint=b, cert=cert, verify=b_crt)
src.containers.get(name).migrate(dst, wait=True)
print(dst.containers.get(name).status)
`

test('pylxd 2.2 migrates a stopped container between the two corralds', { skip: pylxdSkip }, () => {
  a.must(['init', 'busybox', 'py1'])
  const before = tree(volume(a, 'py1') + '/rootfs')
  const conf = a.env().LXD_CONF!
  // requests lets these override a session's own CA (the server certificate passed as verify=).
  const env = { ...process.env }
  delete env.REQUESTS_CA_BUNDLE
  delete env.CURL_CA_BUNDLE
  const r = run(
    '/usr/bin/python3',
    [
      '-c',
      pylxdMigrate,
      conf,
      `https://127.0.0.1:${portA}`,
      join(a.dir, 'server.crt'),
      `https://127.0.0.1:${portB}`,
      join(b.dir, 'server.crt'),
      'py1',
    ],
    { env },
  )
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout.trim(), 'Stopped')
  assert.equal(tree(volume(b, 'py1') + '/rootfs'), before)
  assert.equal(names(a, 'local').includes('py1'), false)
  b.must(['delete', 'py1'])
})

/** Protobuf by hand (the test speaks the wire, not our encoder): a varint, and a field of each kind. */
const varint = (n: number): number[] => {
  const out: number[] = []
  do {
    out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0))
    n = Math.floor(n / 128)
  } while (n > 0)
  return out
}
const vfield = (no: number, v: number) => [...varint(no << 3), ...varint(v)]
const bfield = (no: number, bytes: number[] | Buffer) => [
  ...varint((no << 3) | 2),
  ...varint(bytes.length),
  ...bytes,
]
const sfield = (no: number, s: string) => bfield(no, Buffer.from(s))

/** Runs the stock client without blocking this process's event loop. */
async function lxcAsync(s: LxcSession, args: string[]): Promise<{ status: number | null; stderr: string }> {
  const { spawn } = await import('node:child_process')
  const child = spawn('lxc', args, { env: s.env(), stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
  const status = await new Promise<number | null>((r) => child.on('close', (code) => r(code)))
  return { status, stderr }
}

/** A fake source: an https server whose migration websockets send `offer` and record what comes back. */
async function fakeSource(dir: string, offer: number[]) {
  const { makeClientCert } = await import('../helpers/certs.js')
  const { createServer } = await import('node:https')
  const { WebSocketServer } = await import('ws')
  const cert = makeClientCert(dir, 'evil-source')
  const pem = readFileSync(cert.cert, 'utf8')
  const server = createServer({ cert: pem, key: readFileSync(cert.key) })
  const wss = new WebSocketServer({ noServer: true })
  const heard: Buffer[] = []
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!req.url?.includes('secret=control')) return
      ws.on('message', (m: Buffer) => heard.push(m))
      ws.send(Buffer.from(offer))
    }),
  )
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return {
    pem,
    url: `https://127.0.0.1:${port}/1.0/operations/evil`,
    heard,
    close: () =>
      new Promise<void>((r) => {
        wss.close()
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

test(
  'a hostile source: a live offer, and a snapshot carrying raw.lxc into a restricted project, are refused',
  { skip },
  async () => {
    const dir = mkdtempSync('/tmp/corral-migevil-')
    const marker = `/tmp/corral-mig-evil-${tag}`
    // A snapshot whose config is what the project forbids: field 5 (Snapshot) of MigrationHeader.
    const evilSnap = [
      ...sfield(1, 'evil'),
      ...bfield(2, [...sfield(1, 'raw.lxc'), ...sfield(2, `lxc.hook.pre-start = /bin/touch ${marker}`)]),
      ...sfield(3, 'default'),
      ...vfield(4, 0),
      ...vfield(6, 2),
      ...vfield(7, 0),
    ]
    const rsyncFeatures = bfield(8, [...vfield(1, 1), ...vfield(2, 1), ...vfield(4, 1)])
    const offers: [string, number[], RegExp, string][] = [
      [
        'live',
        [...vfield(1, 0), ...vfield(2, 0), ...rsyncFeatures],
        /Live migration is not supported/,
        'default',
      ],
      [
        'snapraw',
        [...vfield(1, 0), ...sfield(4, 'evil'), ...bfield(5, evilSnap), ...rsyncFeatures],
        /raw\.lxc|forbidden/i,
        tenantProject,
      ],
    ]
    try {
      for (const [name, offer, message, project] of offers) {
        const src = await fakeSource(dir, offer)
        try {
          const body = {
            name,
            architecture: 'x86_64',
            source: {
              type: 'migration',
              mode: 'pull',
              operation: src.url,
              secrets: { control: 'control', fs: 'fs' },
              certificate: src.pem,
            },
          }
          // Not spawnSync: the fake source answers from this very process.
          const r = await lxcAsync(a, [
            'query',
            '--wait',
            '-X',
            'POST',
            `b:/1.0/instances?project=${project}`,
            '--data',
            JSON.stringify(body),
          ])
          assert.notEqual(r.status, 0, name)
          assert.match(r.stderr, message, name)
          assert.equal(existsSync(volume(b, name, project)), false, name)
          assert.equal(b.must(['list', name, '--project', project, '--format', 'csv']).trim(), '', name)
          // The source is told why (a MigrationControl with success false).
          assert.ok(
            src.heard.some((m) => m[0] === 0x08 && m[1] === 0x00),
            name,
          )
        } finally {
          await src.close()
        }
      }
      assert.equal(existsSync(marker), false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
)
