/** @module At daemon start: start instances that should run (boot.autostart, or running when last seen). */
import { isTrue } from '../config/validate.js'
import { listInstances } from '../db/instances.js'
import type { State } from '../state.js'
import { startInstance } from './lifecycle.js'
import { isAlive, runtimeState } from './lxc/runtime.js'
import { expandedAll } from './expanded.js'
import { instanceLock, lockKey } from './service.js'
import { instanceKeys } from '../config/instance-keys.js'

/** Starts, by boot.autostart.priority (highest first) within each project, every stopped instance that should run. */
export async function autostartInstances(state: State): Promise<void> {
  const requestor = { username: 'root', protocol: 'unix', address: '@' }
  const candidates = expandedAll(state, listInstances(state.db, undefined))
    .map(({ inst, expanded }) => ({ inst, config: expanded.config }))
    .filter(({ inst, config }) => {
      const auto = config['boot.autostart']
      if (auto !== undefined && auto !== '') return isTrue(auto)
      return inst.config['volatile.last_state.power'] === 'RUNNING'
    })
    .sort(
      (a, b) =>
        Number(instanceKeys.get(b.config, 'boot.autostart.priority')) -
        Number(instanceKeys.get(a.config, 'boot.autostart.priority')),
    )
  // Each project keeps its own order and delays; one project's delay does not hold back another's.
  const byProject = new Map<string, typeof candidates>()
  for (const c of candidates) byProject.set(c.inst.project, [...(byProject.get(c.inst.project) ?? []), c])
  await Promise.all(
    [...byProject.values()].map(async (list) => {
      for (const { inst, config } of list) {
        await instanceLock.run(lockKey(inst.project, inst.name), async () => {
          if (isAlive(await runtimeState(state, inst))) return
          try {
            await startInstance(state, inst, { project: inst.project, requestor })
            state.log.info('Autostarted instance', { project: inst.project, instance: inst.name })
          } catch (err) {
            state.log.error('Failed to autostart instance', {
              project: inst.project,
              instance: inst.name,
              err: String(err),
            })
          }
        })
        const delay = Number(instanceKeys.get(config, 'boot.autostart.delay'))
        // setTimeout takes at most 2^31-1 ms; a longer delay would fire at once.
        if (delay > 0) await new Promise((r) => setTimeout(r, Math.min(delay * 1000, 2 ** 31 - 1)))
      }
    }),
  )
}
