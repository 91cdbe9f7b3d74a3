/** @module Daemon start and stop: the order of bringing state up and down. */
import { chmodSync, mkdirSync, unlinkSync } from 'node:fs'
import type { Server } from 'node:http'
import { join } from 'node:path'
import { endpoints, mount, type Router } from './api/index.js'
import { createSecurityAudit } from './audit/runner.js'
import { openDatabase } from './db/db.js'
import { loadServerConfig } from './db/server-config.js'
import { claimSocketPath, listenUnix } from './endpoints/unix.js'
import { prepareTemplateWorkers } from './instance/templates.js'
import { gatherEnvironment } from './environment.js'
import { EventHub } from './events/hub.js'
import { groupId } from './host/users.js'
import { selectFirewall } from './firewall/registry.js'
import { detachNetworks } from './network/bridge.js'
import { startNetworks } from './network/service.js'
import { hostRunner, type CommandRunner } from './host/runner.js'
import { Logger } from './log.js'
import { OperationRegistry } from './operation/operation.js'
import type { Paths, State } from './state.js'
import { autostartInstances } from './instance/autostart.js'
import { shutdownInstances } from './instance/host-shutdown.js'
import { IdmapReadiness } from './instance/idmap-readiness.js'
import { recoverHostChanges } from './instance/recovery.js'
import { startBackupExpiry } from './instance/backup-files.js'
import { mountPools } from './storage/index.js'
import { ensureServerCertificate } from './certificate/server-cert.js'
import { TlsListener } from './endpoints/tls.js'
import { isPastSupportEnd, release } from './version.js'
import { serverKeys } from './config/server-keys.js'

/** How to start a daemon. */
export interface DaemonOptions {
  dir: string
  /** Socket group name; `corral` when it exists, else root's group. */
  group?: string
  debug?: boolean
  host?: CommandRunner
  /** Log to the file under logs/ (default true). */
  logFile?: boolean
  /** Keep stderr quiet (in-process tests). */
  quiet?: boolean
  /** Start instances that should run (default true). */
  autostart?: boolean
  /** Force a firewall driver (default: chosen as LXD chooses). */
  firewall?: string
  /** Refuse privileged containers and unsafe raw.idmap / raw.lxc. */
  unprivilegedOnly?: boolean
  /** Re-evaluate the security audit at start and after changes (default true; the API tier turns it off to keep rows still). */
  watchSecurity?: boolean
}

/** How the daemon stops. */
export interface StopOptions {
  /** The host goes down (SIGPWR): shut running instances down first. Else they keep running. */
  shutdownInstances?: boolean
}

/** A running daemon. */
export interface Daemon {
  state: State
  /** Resolves when the daemon has stopped (after stop() or a shutdown request). */
  stopped: Promise<void>
  stop(opts?: StopOptions): Promise<void>
}

/** The paths under a state directory. */
export function pathsFor(dir: string): Paths {
  return { dir, socket: join(dir, 'unix.socket'), database: join(dir, 'database'), logs: join(dir, 'logs') }
}

function resolveGroup(name: string | undefined): number {
  if (name === undefined) return groupId('corral') ?? 0
  const gid = groupId(name)
  if (gid === undefined) throw new Error(`Group "${name}" doesn't exist`)
  return gid
}

/** Starts the daemon: claims the socket, opens the database, then serves. */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const paths = pathsFor(opts.dir)
  const gid = resolveGroup(opts.group)
  mkdirSync(paths.dir, { recursive: true })
  // Containers' root users must traverse the state directory to their files (LXD uses 0711 too).
  chmodSync(paths.dir, 0o711)
  await claimSocketPath(paths.socket)

  const log = new Logger(
    opts.logFile === false ? undefined : join(paths.logs, 'corrald.log'),
    opts.debug ? 'debug' : 'info',
    !opts.quiet,
  )
  const events = new EventHub()
  log.attach(events)
  const host = opts.host ?? hostRunner
  const db = openDatabase(paths.database)
  const firewall = await selectFirewall(host, paths.dir, opts.firewall)
  let resolveStopped!: () => void
  const stopped = new Promise<void>((r) => (resolveStopped = r))
  let server: Server | undefined
  let router: Router | undefined
  let tls: TlsListener | undefined
  let stopping: Promise<void> | undefined
  // Replaced once the daemon is ready; a stop before then has no sweep to end.
  let stopBackupExpiry = (): void => {}

  const state: State = {
    db,
    events,
    operations: new OperationRegistry(events),
    log,
    host,
    paths,
    environment: await gatherEnvironment(host, firewall.name),
    https: {
      apply: (address) => (tls ? tls.apply(address) : Promise.resolve()),
      current: () => tls?.current ?? '',
    },
    firewall,
    idmap: new IdmapReadiness(host, log),
    unprivilegedOnly: opts.unprivilegedOnly ?? false,
    networks: { dnsmasq: new Map(), errors: new Map() },
    phase: 'starting',
    audit: createSecurityAudit(() => state),
    requestShutdown: () => setImmediate(() => void stop()),
  }

  const stop = (stopOpts: StopOptions = {}): Promise<void> =>
    (stopping ??= (async () => {
      state.phase = 'stopping'
      log.info(stopOpts.shutdownInstances ? 'Stopping daemon and instances' : 'Stopping daemon')
      const minutes = Number(serverKeys.get(loadServerConfig(db), 'core.shutdown_timeout'))
      await state.operations.drain(minutes * 60)
      if (stopOpts.shutdownInstances) await shutdownInstances(state)
      await state.audit.close()
      stopBackupExpiry()
      router?.closeSockets()
      await tls?.close()
      detachNetworks(state.networks)
      if (server) {
        const closed = new Promise((r) => server!.close(r))
        server.closeAllConnections()
        await closed
      }
      try {
        unlinkSync(paths.socket)
      } catch {
        // Already gone.
      }
      db.close()
      log.info('Daemon stopped')
      resolveStopped()
    })())

  // Probed (and logged) now, so a host whose ranges LXC cannot map says so at start.
  await state.idmap.check()
  await mountPools(state)
  await startNetworks(state)
  await recoverHostChanges(state)
  const certificate = await ensureServerCertificate(paths.dir, host)
  state.environment.certificate = certificate.cert
  state.environment.certificate_fingerprint = certificate.fingerprint
  try {
    router = mount(endpoints, state)
    server = await listenUnix(paths.socket, gid, router)
    tls = new TlsListener(certificate, router, db)
    const address = loadServerConfig(db)['core.https_address'] ?? ''
    // A remote API that cannot bind is reported, not fatal: local access must keep working.
    await tls
      .apply(address)
      .catch((err: unknown) =>
        log.error('Failed to start the remote API listener', { address, err: String(err) }),
      )
  } catch (err) {
    db.close()
    throw err
  }
  state.phase = 'ready'
  stopBackupExpiry = startBackupExpiry(state)
  // Containers keep running across daemon restarts; only those that stopped meanwhile are started.
  if (opts.autostart !== false) {
    void autostartInstances(state).catch((err: unknown) =>
      log.error('Autostart failed', { err: String(err) }),
    )
  }
  if (opts.watchSecurity !== false) state.audit.watch()
  // After the API answers: a first start then finds a template worker booted.
  setImmediate(prepareTemplateWorkers)
  log.info('Daemon started', { version: release.version, socket: paths.socket })
  if (isPastSupportEnd()) {
    log.warn('This release is past its support end; upgrade to a supported release', {
      support_end: release.supportEnd,
    })
  }
  return { state, stopped, stop }
}
