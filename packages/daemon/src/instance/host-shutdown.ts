/** @module The host goes down (SIGPWR to the daemon, as LXD): running instances are shut down cleanly first. */
import { availableParallelism } from 'node:os'
import * as db from '../db/instances.js'
import type { State } from '../state.js'
import { stopInstance } from './lifecycle.js'
import { isAlive, runtimeState } from './lxc/runtime.js'
import { expandedAll } from './expanded.js'
import { instanceLock, lockKey } from './service.js'
import { instanceKeys } from '../config/instance-keys.js'

const requestor = { username: 'root', protocol: 'unix', address: '@' }

/** One instance with the keys that order and time its shutdown. */
interface Candidate {
  inst: db.InstanceRecord
  priority: number
  timeout: number
}

/** Higher `boot.stop.priority` first, then by name, as LXD sorts them. */
function shutdownOrder(a: Candidate, b: Candidate): number {
  return b.priority - a.priority || (a.inst.name < b.inst.name ? -1 : a.inst.name > b.inst.name ? 1 : 0)
}

/** Shuts one instance down within its timeout (killed after it); it stays marked to run at the next start. */
async function shutdownOne(state: State, c: Candidate): Promise<void> {
  const { inst } = c
  await instanceLock.run(lockKey(inst.project, inst.name), async () => {
    if (!isAlive(await runtimeState(state, inst))) return
    const now = db.getInstance(state.db, inst.project, inst.name)
    try {
      await stopInstance(
        state,
        now,
        { force: false, timeout: c.timeout },
        { project: inst.project, requestor },
      )
    } catch (err) {
      state.log.warn('Failed shutting down instance', {
        project: inst.project,
        instance: inst.name,
        err: String(err),
      })
      return
    }
    // As LXD: an instance the host shutdown stopped starts again with the daemon.
    if (!now.ephemeral) db.patchInstanceConfig(state.db, now.id, { 'volatile.last_state.power': 'RUNNING' })
  })
}

/**
 * Stops every running instance cleanly (halt signal, at most `boot.host_shutdown_timeout`
 * seconds, then killed), in batches of equal `boot.stop.priority`, highest first, as many at
 * once as there are CPUs.
 */
export async function shutdownInstances(state: State): Promise<void> {
  const candidates = expandedAll(state, db.listInstances(state.db, undefined))
    .map(({ inst, expanded }) => {
      const config = expanded.config
      const timeout = Number.parseInt(instanceKeys.get(config, 'boot.host_shutdown_timeout'), 10)
      return {
        inst,
        priority: Number.parseInt(instanceKeys.get(config, 'boot.stop.priority'), 10) || 0,
        timeout,
      }
    })
    .sort(shutdownOrder)
  const width = Math.max(1, availableParallelism())
  for (let i = 0; i < candidates.length;) {
    const batch = candidates.slice(i).filter((c, j, all) => c.priority === all[0]!.priority)
    i += batch.length
    if (batch.length > 0) state.log.info('Stopping instances', { stopPriority: String(batch[0]!.priority) })
    const queue = [...batch]
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c; c = queue.shift()) await shutdownOne(state, c)
    }
    await Promise.all(Array.from({ length: Math.min(width, batch.length) }, worker))
  }
}
