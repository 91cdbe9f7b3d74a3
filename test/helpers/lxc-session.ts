/** @module System tier: a real corrald plus the stock lxc client pointed at it, optionally with the busybox image and a pool. */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { cleanup, makeStateDir, rootSkipReason, run, startCorrald, type Corrald } from './corrald.js'
import { stockClientEnv } from './stock-client.js'
import { buildBusyboxImage } from './setup.js'

/** What a session sets up besides the daemon. */
export interface SessionOptions {
  /** Build the busybox image into `images` (and import it as `busybox` when `pool` is set too). */
  image?: boolean
  /** Create dir pool `default` and put the root disk in the default profile. */
  pool?: boolean
  /** corrald's arguments (default `--group root`). */
  daemonArgs?: string[]
}

/** A daemon, a client home and helpers to run the stock client against it. */
export interface LxcSession {
  dir: string
  home: string
  images: string
  daemon(): Corrald
  /** Replaces the daemon handle (after a kill and restart). */
  setDaemon(d: Corrald): void
  env(): NodeJS.ProcessEnv
  lxc(args: string[], input?: string): ReturnType<typeof run>
  /** Runs lxc and fails the test unless it exits 0; returns stdout. */
  must: (args: string[]) => string
  /** Force-stops the named containers, stops the daemon, removes every directory. */
  close(containers?: string[]): Promise<void>
}

/** Why a stock-client session cannot run here, or undefined; `tools` are commands the test also needs. */
export function sessionSkipReason(opts: SessionOptions = {}, tools: string[] = []): string | undefined {
  return (
    rootSkipReason() ??
    (run('which', ['lxc']).status === 0
      ? undefined
      : 'the lxc client is not installed (scripts/install-deps.sh installs lxd-client)') ??
    (opts.image && !existsSync('/bin/busybox')
      ? '/bin/busybox is missing (install busybox-static)'
      : undefined) ??
    (opts.pool && run('which', ['lxc-start']).status !== 0
      ? 'LXC is not installed (scripts/install-deps.sh)'
      : undefined) ??
    missingToolReason(tools)
  )
}

/** Names the first of `tools` that is not on PATH, or undefined. */
export function missingToolReason(tools: string[]): string | undefined {
  const missing = tools.find((tool) => run('which', [tool]).status !== 0)
  return missing && `${missing} is not installed (scripts/install-deps.sh)`
}

/** Starts corrald on a fresh state directory and prepares what `opts` asks for. */
export async function startLxcSession(prefix: string, opts: SessionOptions = {}): Promise<LxcSession> {
  const dir = makeStateDir(prefix)
  const home = mkdtempSync(join('/tmp', `${prefix}-home-`))
  const images = join(home, 'images')
  let daemon: Corrald | undefined
  const env = (): NodeJS.ProcessEnv => stockClientEnv(home, { LXD_DIR: dir, EDITOR: '/bin/false' })
  const lxc = (args: string[], input?: string) => run('lxc', args, { env: env(), input })
  const must = (args: string[]): string => {
    const r = lxc(args)
    assert.equal(r.status, 0, `lxc ${args.join(' ')}: ${r.stderr}`)
    return r.stdout
  }
  const session: LxcSession = {
    dir,
    home,
    images,
    daemon: () => daemon!,
    setDaemon: (d) => (daemon = d),
    env,
    lxc,
    must,
    async close(containers = []) {
      for (const name of containers) run('lxc-stop', ['-k', '-n', name, '-P', join(dir, 'containers')])
      await cleanup(daemon, dir)
      rmSync(home, { recursive: true, force: true })
    },
  }
  try {
    if (opts.image) buildBusyboxImage(images)
    daemon = await startCorrald(dir, opts.daemonArgs)
    if (opts.pool) {
      must(['storage', 'create', 'default', 'dir'])
      must(['profile', 'device', 'add', 'default', 'root', 'disk', 'path=/', 'pool=default'])
      if (opts.image) must(['image', 'import', join(images, 'busybox.tar.xz'), '--alias', 'busybox'])
    }
    return session
  } catch (err) {
    await session.close()
    throw err
  }
}
