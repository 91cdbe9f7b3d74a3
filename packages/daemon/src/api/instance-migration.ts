/**
 * @module LXD's migration endpoints as the 5.0.2 client drives them: POST /1.0/instances/NAME
 * with `migration: true` (the source: a websocket operation in pull mode, or a task joining the
 * target's in push mode) and POST /1.0/instances with source type `migration` (the target).
 */
import { randomBytes } from 'node:crypto'
import type { WebSocket } from 'ws'
import { ApiError, badRequest, conflict } from '@corral/api'
import * as db from '../db/instances.js'
import { entityUrl } from '../events/lifecycle.js'
import { runtimeState } from '../instance/container.js'
import { validateCreate } from '../instance/lifecycle.js'
import { dialMigration, parsePeerOperation, type PeerOperation } from '../instance/migration/dial.js'
import { receiveInstance, withoutOwnKeys, type SinkRequest } from '../instance/migration/sink.js'
import { MigrationSocket } from '../instance/migration/socket.js'
import { sendInstance, type MigrationChannels } from '../instance/migration/source.js'
import { instanceLock, lockKey } from '../instance/service.js'
import type { OperationClass } from '@corral/api'
import { validateInstanceName } from '../util/names.js'
import { devicesField, stringField, stringList, stringMapField } from './body.js'
import type { ApiRequest } from './endpoint.js'
import { callerOf } from './instance-op.js'
import { async, type ApiResponse } from './response.js'

/** How long a websocket operation waits for both of its sockets. */
const connectTimeoutMs = 30_000

const liveRefused =
  'Live migration is not supported (Corral does not use CRIU): stop the instance first, or copy it with --stateless'

function bool(body: Record<string, unknown>, field: string, fallback = false): boolean {
  const v = body[field]
  if (v === undefined || v === null) return fallback
  if (typeof v !== 'boolean') throw badRequest(`Invalid value for field "${field}": must be a boolean`)
  return v
}

function objectField(body: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  const v = body[field]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v))
    throw badRequest(`Invalid value for field "${field}": must be an object`)
  return v as Record<string, unknown>
}

const newSecret = (): string => randomBytes(32).toString('hex')

/** The control and fs secrets a peer's operation gave, required both. */
function peerSecrets(m: Record<string, string>): { control: string; fs: string } {
  if (m.criu) throw badRequest(liveRefused)
  if (!m.control) throw badRequest('Missing control secret')
  if (!m.fs) throw badRequest('Missing fs secret')
  return { control: m.control, fs: m.fs }
}

/** Both channels joined by dialling the peer's operation. */
async function dialBoth(
  peer: PeerOperation,
  secrets: { control: string; fs: string },
): Promise<MigrationChannels> {
  const control = await dialMigration(peer, secrets.control)
  try {
    return { control, fs: await dialMigration(peer, secrets.fs) }
  } catch (err) {
    control.close()
    throw err
  }
}

/** Sockets the peer connects to us with our secrets; resolves once both are here. */
class Accepting {
  readonly secrets = { control: newSecret(), fs: newSecret() }
  private readonly sockets: Partial<MigrationChannels> = {}
  private resolve!: (ch: MigrationChannels) => void
  readonly ready = new Promise<MigrationChannels>((r) => (this.resolve = r))

  /** The operation's connect hook. */
  connect = (fd: string, ws: WebSocket): void => {
    const slot = fd as keyof MigrationChannels
    if ((slot !== 'control' && slot !== 'fs') || this.sockets[slot]) return ws.close(1008)
    this.sockets[slot] = new MigrationSocket(ws)
    const { control, fs } = this.sockets
    if (control && fs) this.resolve({ control, fs })
  }

  /** Waits for both sockets, or fails after the timeout. */
  async wait(signal: AbortSignal): Promise<MigrationChannels> {
    let timer: NodeJS.Timeout | undefined
    try {
      return await Promise.race([
        this.ready,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('Timed out waiting for migration connections')),
            connectTimeoutMs,
          )
          signal.addEventListener('abort', () => reject(new Error('Operation cancelled')), { once: true })
        }),
      ])
    } finally {
      clearTimeout(timer)
      if (signal.aborted || !this.sockets.control || !this.sockets.fs) this.close()
    }
  }

  /** Closes what connected. */
  close(): void {
    this.sockets.control?.close()
    this.sockets.fs?.close()
  }
}

/** An operation on one instance that runs under its lock, as every instance operation does. */
function migrationOperation(
  req: ApiRequest,
  opts: { name: string; description: string; accepting?: Accepting },
  work: (signal: AbortSignal, progress: (text: string) => void) => Promise<void>,
) {
  const project = req.project()
  const cls: OperationClass = opts.accepting ? 'websocket' : 'task'
  const accepting = opts.accepting
  return req.state.operations.create({
    project,
    class: cls,
    description: opts.description,
    resources: { instances: [entityUrl(`/1.0/instances/${opts.name}`, project)] },
    requestor: req.requestor(),
    ...(accepting
      ? {
          // LXD's migration operations carry their secrets at the top of metadata, all strings.
          metadata: { ...accepting.secrets },
          secrets: accepting.secrets,
          connect: accepting.connect,
          cancel: () => accepting.close(),
        }
      : {}),
    run: (ctx) =>
      instanceLock.run(lockKey(project, opts.name), () =>
        // LXD's key: the client shows it as "Transferring instance: ...".
        work(ctx.signal, (text) => ctx.setMetadata({ fs_progress: text })),
      ),
  })
}

/**
 * POST /1.0/instances/NAME with `migration: true`: this server sends the instance; with a
 * snapshot (POST /1.0/instances/NAME/snapshots/SNAP), that snapshot as an instance of its own.
 */
export async function migrationSource(
  req: ApiRequest,
  inst: db.InstanceRecord,
  body: Record<string, unknown>,
  snapshot?: db.SnapshotRecord,
): Promise<ApiResponse> {
  // LXD's default when `live` is absent is a live migration.
  const live = bool(body, 'live', true)
  const instanceOnly = bool(body, 'instance_only') || bool(body, 'container_only')
  if (stringField(body, 'pool'))
    throw badRequest('Moving an instance to another storage pool is not supported')
  if (stringField(body, 'project')) throw badRequest('Moving an instance to another project is not supported')
  const running = !snapshot && (await runtimeState(req.state, inst)).status === 'Running'
  if (live && (running || snapshot?.stateful)) throw badRequest(liveRefused)
  const send = (ch: MigrationChannels, progress: (text: string) => void) =>
    sendInstance(req.state, db.getInstance(req.state.db, inst.project, inst.name), ch, {
      instanceOnly,
      progress,
      ...(snapshot ? { snapshot: snapshot.name } : {}),
    })
  const target = objectField(body, 'target')
  const description = 'Migrating instance'
  if (target) {
    const peer = parsePeerOperation(stringField(target, 'operation'), stringField(target, 'certificate'))
    const secrets = peerSecrets(stringMapField(target, 'secrets'))
    return async(
      migrationOperation(req, { name: inst.name, description }, async (_signal, progress) =>
        send(await dialBoth(peer, secrets), progress),
      ),
    )
  }
  const accepting = new Accepting()
  return async(
    migrationOperation(req, { name: inst.name, description, accepting }, async (signal, progress) =>
      send(await accepting.wait(signal), progress),
    ),
  )
}

/** POST /1.0/instances with `source.type: migration`: this server receives an instance. */
export async function createFromMigration(
  req: ApiRequest,
  body: Record<string, unknown>,
): Promise<ApiResponse> {
  const name = stringField(body, 'name')
  validateInstanceName(name)
  const type = stringField(body, 'type')
  if (type !== '' && type !== 'container')
    throw badRequest(`Instance type "${type}" is not supported (only containers)`)
  const src = objectField(body, 'source') ?? {}
  const mode = stringField(src, 'mode') || 'pull'
  if (mode !== 'pull' && mode !== 'push') throw new ApiError(501, `Mode "${mode}" not implemented`)
  if (bool(src, 'live')) throw badRequest(liveRefused)
  if (bool(src, 'refresh')) throw badRequest('Incremental copies (--refresh) are not supported')
  const profiles = stringList(body, 'profiles')
  const caller = callerOf(req)
  const request: SinkRequest = {
    project: caller.project,
    name,
    description: stringField(body, 'description'),
    config: withoutOwnKeys(stringMapField(body, 'config')),
    devices: devicesField(body),
    profiles: profiles ?? ['default'],
    ephemeral: bool(body, 'ephemeral'),
    architecture: stringField(body, 'architecture') || 'x86_64',
    baseImage: stringField(src, 'base-image'),
    instanceOnly: bool(src, 'instance_only') || bool(src, 'container_only'),
  }
  // Before any operation: the pull peer is a usable https URL, and the name is free.
  const peer =
    mode === 'pull'
      ? parsePeerOperation(stringField(src, 'operation'), stringField(src, 'certificate'))
      : undefined
  const secrets = peer ? peerSecrets(stringMapField(src, 'secrets')) : undefined
  if (db.listInstances(req.state.db, caller.project).some((i) => i.name === name))
    throw conflict(`Instance "${name}" already exists`)
  // Every key, device, privilege and project restriction, as for any other create.
  const { req: clean, expanded } = await validateCreate(req.state, { ...request, image: '' }, caller)
  const sink: SinkRequest = { ...request, config: clean.config, devices: clean.devices }
  const description = 'Creating instance'
  const accepting = peer ? undefined : new Accepting()
  return async(
    migrationOperation(
      req,
      { name, description, ...(accepting ? { accepting } : {}) },
      async (signal, progress) => {
        if (db.listInstances(req.state.db, caller.project).some((i) => i.name === name))
          throw conflict(`Instance "${name}" already exists`)
        const ch = peer && secrets ? await dialBoth(peer, secrets) : await accepting!.wait(signal)
        await receiveInstance(req.state, sink, expanded, ch, caller, progress)
      },
    ),
  )
}
