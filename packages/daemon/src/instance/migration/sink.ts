/**
 * @module The receiving end of an instance migration (LXD's migration sink): the offer is checked
 * and answered, each snapshot and the instance arrive over rsync into a private volume, then the
 * rows are written and the verdict sent.
 */
import { randomUUID } from 'node:crypto'
import { chmod, chown } from 'node:fs/promises'
import * as db from '../../db/instances.js'
import { entityUrl, publishLifecycle } from '../../events/lifecycle.js'
import type { State } from '../../state.js'
import { loadPool } from '../../storage/index.js'
import { validateSnapshotName } from '../../util/names.js'
import { allocateIdmap, releaseRange, reserveRange } from '../idmap-alloc.js'
import { containerRow, type Caller, type NewInstanceFields } from '../lifecycle.js'
import { expandedOf, rootPoolOf, validateInstance } from '../service.js'
import { checkReceivedDevices, checkReceivedLayout } from './device-audit.js'
import {
  CriuType,
  FsType,
  decodeControl,
  decodeHeader,
  encodeControl,
  encodeHeader,
  peerRsyncFeatures,
  type ConfigPair,
  type MigrationHeader,
} from './messages.js'
import { progressCounter } from './progress.js'
import { rsyncReceive } from './rsync.js'
import { sendFailure, type MigrationChannels } from './source.js'

/** Every pass is checked before it becomes a snapshot or the instance: layout first, then device nodes. */
async function checkReceivedTree(dir: string): Promise<void> {
  await checkReceivedLayout(dir)
  await checkReceivedDevices(dir)
}
import { headerTimeoutMs, ourFeatureNames } from './types.js'

/** The new instance as the create request describes it (already validated). */
export interface SinkRequest extends NewInstanceFields {
  project: string
  architecture: string
  /** `source.base-image`: the image the source was made from, kept as LXD keeps it. */
  baseImage: string
  instanceOnly: boolean
}

/** A snapshot to create, as the offer lists it. */
interface IncomingSnapshot {
  name: string
  config: Record<string, string>
  devices: Record<string, Record<string, string>>
  profiles: string[]
  stateful: boolean
  createdAt: string
}

const map = (pairs: ConfigPair[] | undefined): Record<string, string> =>
  Object.fromEntries((pairs ?? []).map((p) => [p.key, p.value]))

const iso = (unix: number | undefined): string =>
  unix && unix > 0 ? new Date(unix * 1000).toISOString() : new Date().toISOString()

/** Keys the target computes itself: the id map and power state belong to this host. */
const ownKey = (k: string): boolean =>
  k.startsWith('volatile.idmap.') || k === 'volatile.last_state.idmap' || k === 'volatile.last_state.power'

/** A request config without the keys this host computes itself (id map, power state). */
export function withoutOwnKeys(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => !ownKey(k)))
}

/** The snapshots the offer announces, each checked as an instance config of this project. */
function incomingSnapshots(state: State, req: SinkRequest, offer: MigrationHeader): IncomingSnapshot[] {
  const names = offer.snapshotNames ?? []
  const infos = offer.snapshots ?? []
  const list = names.map((name, i): IncomingSnapshot => {
    const info = infos.length === names.length ? infos[i] : undefined
    // An old source sends names only: its snapshots get the instance's own config, as LXD does.
    return {
      name,
      config: withoutOwnKeys(info ? map(info.localConfig) : req.config),
      devices: info
        ? Object.fromEntries((info.localDevices ?? []).map((d) => [d.name, map(d.config)]))
        : req.devices,
      profiles: info ? (info.profiles ?? []) : req.profiles,
      stateful: false,
      createdAt: iso(info?.creationDate),
    }
  })
  const seen = new Set<string>()
  for (const s of list) {
    validateSnapshotName(s.name)
    if (seen.has(s.name)) throw new Error(`Snapshot "${s.name}" is offered twice`)
    seen.add(s.name)
    // A snapshot's config is the instance's after a restore: it must pass the same rules now.
    validateInstance(state, {
      project: req.project,
      name: req.name,
      profiles: s.profiles,
      config: s.config,
      devices: s.devices,
    })
  }
  return list
}

/** Checks the offer and builds the answer; throws what the source is told when it cannot be met. */
export function answerOf(offer: MigrationHeader, snapshots: readonly { name: string }[]): MigrationHeader {
  if (offer.criu === CriuType.CRIU_RSYNC || offer.criu === CriuType.PHAUL)
    throw new Error('Live migration is not supported: stop the instance, or copy it with --stateless')
  if ((offer.idmap ?? []).length > 0)
    throw new Error('The source keeps its files shifted on disk; Corral receives only unshifted files')
  if (offer.predump) throw new Error('Live migration (memory pre-dumps) is not supported')
  const features = peerRsyncFeatures(offer).filter((f) => ourFeatureNames.includes(f))
  return {
    // Whatever the source prefers, rsync is the fallback both ends speak for a file system volume.
    fs: FsType.RSYNC,
    ...(offer.criu === CriuType.NONE ? { criu: CriuType.NONE } : {}),
    idmap: [],
    snapshotNames: snapshots.map((s) => s.name),
    snapshots: (offer.snapshots ?? []).filter((s) => snapshots.some((i) => i.name === s.name)),
    predump: false,
    refresh: false,
    rsyncFeatures: {
      xattrs: features.includes('xattrs'),
      delete: features.includes('delete'),
      compress: false,
      bidirectional: true,
    },
    indexHeaderVersion: 0,
  }
}

/** Resolves never; rejects when the source reports a failure or its control channel drops. */
async function sourceFailure(ch: MigrationChannels): Promise<never> {
  let message: string
  try {
    const c = decodeControl(await ch.control.nextBinary())
    message = c.message || 'The migration source failed'
  } catch (err) {
    message = `Lost the migration source: ${(err as Error).message}`
  }
  throw new Error(message)
}

/** Receives an instance; on any failure nothing of it is left and the source is told why. */
export async function receiveInstance(
  state: State,
  req: SinkRequest,
  expanded: { config: Record<string, string>; devices: Record<string, Record<string, string>> },
  ch: MigrationChannels,
  caller: Caller,
  progress?: (text: string) => void,
): Promise<db.InstanceRecord> {
  const reservation = `${req.project}/${req.name}`
  let volume = false
  let row: db.InstanceRecord | undefined
  const pool = loadPool(state, rootPoolOf(expanded))
  try {
    const offer = decodeHeader(await ch.control.nextBinary(headerTimeoutMs))
    const snapshots = incomingSnapshots(state, req, offer)
    const answer = answerOf(offer, snapshots)
    await ch.control.send(encodeHeader(answer))
    const features = peerRsyncFeatures(answer)
    const finalPass = answer.criu === CriuType.NONE
    const { map: idmap, base } = allocateIdmap(
      state,
      { project: req.project, name: req.name, expanded: expanded.config, volatile: {} },
      (i) => expandedOf(state, i).config,
    )
    if (base > 0) reserveRange(reservation, { base, size: idmap[0]!.Maprange })
    // The fs passes race the control channel: a source that fails says so there.
    const failed = sourceFailure(ch)
    const transfer = pool.createInstanceFromPasses({
      project: req.project,
      instance: req.name,
      fill: async (dir, snapshot) => {
        const count = (name: string) => progressCounter(name, progress)
        for (const s of snapshots) {
          await rsyncReceive(state.host, dir, ch.fs, features, count(`${req.name}/${s.name}`))
          await checkReceivedTree(dir)
          if (!req.instanceOnly) await snapshot(s.name)
        }
        await rsyncReceive(state.host, dir, ch.fs, features, count(req.name))
        if (finalPass) await rsyncReceive(state.host, dir, ch.fs, features, count(req.name))
        await checkReceivedTree(dir)
        // Root's and private until a start gives it to the container's root (mode 0100).
        await chown(dir, 0, 0)
        await chmod(dir, 0o700)
      },
    })
    try {
      await Promise.race([transfer, failed])
    } catch (err) {
      // rsync may still be writing: cut the stream and let the volume's own cleanup finish first.
      ch.fs.close()
      await transfer.catch(() => undefined)
      throw err
    }
    volume = true
    failed.catch(() => undefined)
    const config: Record<string, string> = {
      ...withoutOwnKeys(req.config),
      'volatile.idmap.base': String(base),
      'volatile.idmap.next': JSON.stringify(idmap),
      'volatile.last_state.idmap': '[]',
      'volatile.apply_template': 'copy',
    }
    if (!/^[0-9a-f-]{36}$/i.test(config['volatile.uuid'] ?? '')) config['volatile.uuid'] = randomUUID()
    if (/^[0-9a-f]{64}$/.test(req.baseImage)) config['volatile.base_image'] = req.baseImage
    const inst = (row = db.createInstance(
      state.db,
      containerRow(req.project, req, req.architecture || 'x86_64', pool.name, config),
    ))
    if (!req.instanceOnly)
      for (const s of snapshots)
        db.createSnapshot(
          state.db,
          { ...inst, config: s.config, devices: s.devices, profiles: s.profiles },
          s.name,
          s.createdAt,
        )
    releaseRange(reservation)
    // The instance is whole here: a source gone before it hears so changes nothing of it.
    await ch.control.send(encodeControl({ success: true, message: '' })).catch(() => undefined)
    publishLifecycle(
      state.events,
      'instance-created',
      entityUrl(`/1.0/instances/${inst.name}`, inst.project),
      {
        project: inst.project,
        requestor: caller.requestor,
      },
    )
    return inst
  } catch (err) {
    releaseRange(reservation)
    if (row) db.deleteInstance(state.db, row.id)
    if (volume) await pool.deleteInstance(req.project, req.name).catch(() => undefined)
    await sendFailure(ch.control, err)
    throw err
  } finally {
    ch.control.close()
    ch.fs.close()
  }
}
