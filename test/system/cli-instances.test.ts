/**
 * @module System tier: the corral binary against a live corrald: init --auto, image import,
 * launch, exec, files, snapshots, stop and delete; `list --format csv` compared with stock lxc on
 * the same socket.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, corralBin, makeStateDir, startCorrald, type Corrald } from '../helpers/corrald.js'
import { sessionSkipReason } from '../helpers/lxc-session.js'
import { stockClientEnv } from '../helpers/stock-client.js'
import { buildBusyboxImage } from '../helpers/setup.js'

const skip = sessionSkipReason({ image: true, pool: true })

let dir = ''
let daemon: Corrald | undefined
const names: string[] = []
const name = `cl${process.pid}`
const net = `crti${process.pid % 100000}`
const octet = 20 + (process.pid % 200)

const env = (): NodeJS.ProcessEnv =>
  stockClientEnv(path.join(dir, 'home'), {
    CORRAL_DIR: dir,
    CORRAL_CONF: path.join(dir, 'client'),
    LXD_DIR: dir,
  })

/** Runs the corral binary; resolves with its output and exit status. */
function corral(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = spawn(corralBin, args, {
      env: env(),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.stdin.end(input ?? '')
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }))
  })
}

before(async () => {
  if (skip) return
  dir = makeStateDir('corral-cli-inst')
  buildBusyboxImage(path.join(dir, 'img'))
  daemon = await startCorrald(dir)
})

after(async () => {
  if (skip) return
  if (daemon) await corral(['network', 'delete', net])
  for (const n of names)
    spawnSync('lxc-stop', ['-k', '-n', n, '-P', path.join(dir, 'containers')], { stdio: 'ignore' })
  await cleanup(daemon, dir)
})

test('init --auto sets up the default pool and root disk', { skip }, async () => {
  // A managed network first (test addresses, no NAT, no routing sysctls), so --auto creates no bridge.
  const bridge = [
    `ipv4.address=198.19.${octet}.1/24`,
    'ipv6.address=none',
    'ipv4.nat=false',
    'ipv4.routing=false',
  ]
  assert.equal((await corral(['network', 'create', net, ...bridge, 'ipv6.routing=false'])).code, 0)
  assert.deepEqual(await corral(['init', '--auto']), { stdout: '', stderr: '', code: 0 })
  const pools = await corral(['storage', 'list', '--format', 'csv'])
  assert.match(pools.stdout, /^default,dir,.*,,1,CREATED\n$/)
  const show = await corral(['profile', 'device', 'show', 'default'])
  assert.equal(show.stdout, 'root:\n  path: /\n  pool: default\n  type: disk\n')
})

test('image import (unified, with alias) and image list', { skip }, async () => {
  const r = await corral(['image', 'import', path.join(dir, 'img/busybox.tar.xz'), '--alias', 'busybox'])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /^Image imported with fingerprint: [0-9a-f]{64}\n$/)
  const list = await corral(['image', 'list', '-f', 'csv'])
  assert.match(list.stdout, /^busybox,[0-9a-f]{12},no,BusyBox .*,x86_64,CONTAINER,0\.\d\dMB,"/)
})

test(
  'launch, list (same csv as lxc), exec, files, snapshot, restore, stop --force, delete',
  { skip },
  async () => {
    names.push(name)
    const launch = await corral(['launch', 'busybox', name])
    assert.equal(launch.code, 0, launch.stderr)
    assert.equal(launch.stdout, `Creating ${name}\nStarting ${name}\n`)

    const csv = await corral(['list', '--format', 'csv'])
    assert.equal(csv.stdout, `${name},RUNNING,,,CONTAINER,0\n`)
    const stock = spawnSync('lxc', ['list', '--format', 'csv'], { env: env(), encoding: 'utf8' })
    assert.equal(csv.stdout, stock.stdout)
    const table = spawnSync('lxc', ['list'], { env: env(), encoding: 'utf8' })
    assert.equal((await corral(['list'])).stdout, table.stdout)

    const ex = await corral(['exec', name, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'])
    assert.deepEqual(ex, { stdout: 'out\n', stderr: 'err\n', code: 3 })
    const cat = await corral(['exec', name, '--', 'cat'], 'from stdin\n')
    assert.deepEqual(cat, { stdout: 'from stdin\n', stderr: '', code: 0 })

    const local = path.join(dir, 'push.txt')
    fs.writeFileSync(local, 'pushed content\n')
    assert.equal((await corral(['file', 'push', local, `${name}/root/pushed.txt`])).code, 0)
    const back = path.join(dir, 'pulled.txt')
    assert.equal((await corral(['file', 'pull', `${name}/root/pushed.txt`, back])).code, 0)
    assert.equal(fs.readFileSync(back, 'utf8'), 'pushed content\n')

    assert.equal((await corral(['snapshot', name, 'snap0'])).code, 0)
    assert.equal((await corral(['exec', name, '--', 'rm', '/root/pushed.txt'])).code, 0)
    assert.equal((await corral(['stop', name, '--force'])).code, 0)
    const restore = await corral(['restore', name, 'snap0'])
    assert.equal(restore.code, 0, restore.stderr)
    assert.equal((await corral(['start', name])).code, 0)
    const again = await corral(['exec', name, '--', 'cat', '/root/pushed.txt'])
    assert.deepEqual(again, { stdout: 'pushed content\n', stderr: '', code: 0 })
    const info = await corral(['info', name])
    assert.match(info.stdout, new RegExp(`^Name: ${name}\\nStatus: RUNNING\\nType: container\\n`))
    assert.match(info.stdout, /\nSnapshots:\n\+-------\+/)
    assert.equal((await corral(['list', '-c', 'nsS', '-f', 'csv'])).stdout, `${name},RUNNING,1\n`)

    assert.equal((await corral(['stop', name, '--force'])).code, 0)
    const stopped = spawnSync('lxc', ['list', '--format', 'csv'], { env: env(), encoding: 'utf8' })
    assert.equal((await corral(['list', '--format', 'csv'])).stdout, stopped.stdout)
    assert.deepEqual(await corral(['delete', name]), { stdout: '', stderr: '', code: 0 })
    assert.equal((await corral(['list', '--format', 'csv'])).stdout, '')
  },
)

test('admin shutdown stops the daemon and returns once its socket is silent', { skip }, async () => {
  // The daemon leaves its bridges up across a shutdown: delete the test network through the API first.
  assert.equal((await corral(['network', 'delete', net])).code, 0)
  const exited = new Promise((r) => daemon!.proc.once('exit', r))
  assert.deepEqual(await corral(['admin', 'shutdown']), { stdout: '', stderr: '', code: 0 })
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
  assert.notEqual(daemon!.proc.exitCode, null)
})
