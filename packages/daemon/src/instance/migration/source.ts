/**
 * @module The sending end of an instance migration (LXD's migration source): offer, answer, the
 * snapshots and the instance over rsync (a final pass when the source runs), then the verdict.
 */
import * as db from '../../db/instances.js'
import type { State } from '../../state.js'
import { loadPool } from '../../storage/index.js'
import { runtimeState } from '../container.js'
import {
  CriuType,
  FsType,
  decodeControl,
  decodeHeader,
  encodeControl,
  encodeHeader,
  peerRsyncFeatures,
  type MigrationHeader,
  type SnapshotInfo,
} from './messages.js'
import { progressCounter } from './progress.js'
import { rsyncSend } from './rsync.js'
import type { MigrationSocket } from './socket.js'
import { architectureId, headerTimeoutMs, ourFeatureNames, ourRsyncFeatures } from './types.js'

/** The two channels of a migration. */
export interface MigrationChannels {
  control: MigrationSocket
  fs: MigrationSocket
}

const pairs = (m: Record<string, string>) => Object.entries(m).map(([key, value]) => ({ key, value }))
const unix = (iso: string): number => (iso ? Math.floor(Date.parse(iso) / 1000) || 0 : 0)

function snapshotInfo(inst: db.InstanceRecord, s: db.SnapshotRecord): SnapshotInfo {
  return {
    name: s.name,
    localConfig: pairs(s.config),
    profiles: s.profiles,
    ephemeral: false,
    localDevices: Object.entries(s.devices).map(([name, d]) => ({ name, config: pairs(d) })),
    architecture: architectureId(inst.architecture),
    stateful: s.stateful,
    creationDate: unix(s.created_at),
    lastUsedDate: 0,
    expiryDate: unix(s.expires_at),
  }
}

/** Tells the peer why we stop, if it still listens. */
export async function sendFailure(control: MigrationSocket, err: unknown): Promise<void> {
  const message = err instanceof Error ? err.message : String(err)
  await control.send(encodeControl({ success: false, message })).catch(() => undefined)
}

/**
 * Sends an instance. The caller holds the instance's lock, so nothing starts, snapshots or
 * deletes it meanwhile: a stopped source is sent as it is, whole.
 */
export async function sendInstance(
  state: State,
  inst: db.InstanceRecord,
  ch: MigrationChannels,
  opts: {
    instanceOnly: boolean
    progress?: (text: string) => void
    /** Send this snapshot as a new instance of its own (`lxc copy A/snap remote:B`). */
    snapshot?: string
  },
): Promise<void> {
  try {
    const running = !opts.snapshot && (await runtimeState(state, inst)).status === 'Running'
    const snapshots = opts.instanceOnly || opts.snapshot ? [] : db.listSnapshots(state.db, inst.id)
    const offer: MigrationHeader = {
      fs: FsType.RSYNC,
      // A running source copied stateless says so; the target then expects a final pass.
      ...(running ? { criu: CriuType.NONE } : {}),
      // Corral keeps files unshifted on disk (idmapped mounts): there is no map to undo.
      idmap: [],
      snapshotNames: snapshots.map((s) => s.name),
      snapshots: snapshots.map((s) => snapshotInfo(inst, s)),
      predump: false,
      rsyncFeatures: ourRsyncFeatures(),
      indexHeaderVersion: 0,
    }
    await ch.control.send(encodeHeader(offer))
    const answer = decodeHeader(await ch.control.nextBinary(headerTimeoutMs))
    if (answer.fs !== FsType.RSYNC)
      throw new Error(
        `No matching migration types found (the target asked for type ${answer.fs}, Corral sends RSYNC)`,
      )
    if (answer.criu === CriuType.CRIU_RSYNC) throw new Error('Live migration is not supported')
    if (answer.refresh) throw new Error('Incremental copies (--refresh) are not supported')
    if ((answer.indexHeaderVersion ?? 0) !== 0)
      throw new Error('The target asked for an index header that was not offered')
    const features = peerRsyncFeatures(answer).filter((f) => ourFeatureNames.includes(f))
    const pool = loadPool(state, inst.pool)
    const count = (name: string) => progressCounter(name, opts.progress)
    for (const s of snapshots)
      await rsyncSend(state.host, pool.snapshotPath(inst.project, inst.name, s.name), ch.fs, features, {
        count: count(`${inst.name}/${s.name}`),
      })
    const dir = opts.snapshot
      ? pool.snapshotPath(inst.project, inst.name, opts.snapshot)
      : pool.instancePath(inst.project, inst.name)
    const label = opts.snapshot ? `${inst.name}/${opts.snapshot}` : inst.name
    // Files of a running container may vanish during a pass: what is gone need not arrive.
    await rsyncSend(state.host, dir, ch.fs, features, { vanishedOk: running, count: count(label) })
    // The final pass of a running source; the receiver compares every file's content, not its mtime.
    if (running && answer.criu === CriuType.NONE)
      await rsyncSend(state.host, dir, ch.fs, features, { vanishedOk: true, count: count(inst.name) })
    const verdict = decodeControl(await ch.control.nextBinary())
    if (!verdict.success) throw new Error(verdict.message || 'The migration target failed')
  } catch (err) {
    await sendFailure(ch.control, err)
    throw err
  } finally {
    ch.control.close()
    ch.fs.close()
  }
}
