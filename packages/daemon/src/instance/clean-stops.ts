/** @module Clean stops in progress, so that a forced stop cuts one short instead of queueing behind it. */
import type { InstanceRecord } from '../db/instances.js'
import type { State } from '../state.js'
import { stopContainer } from './lxc/driver.js'
import { lockKey } from './service.js'

const inProgress = new Map<string, Promise<unknown>>()

/**
 * Runs a clean stop (halt signal, then the wait) of the instance under `key`, known to
 * {@link cleanStopInProgress} until it settles. As LXD's operation lock lets a forced stop
 * reuse a shutdown's, a forced stop then kills the container and waits for this one to end.
 */
export function runCleanStop<T>(key: string, work: () => Promise<T>): Promise<T> {
  const run = work()
  inProgress.set(key, run)
  const forget = (): void => {
    if (inProgress.get(key) === run) inProgress.delete(key)
  }
  run.then(forget, forget)
  return run
}

/** The clean stop of the instance under `key` that is running now, if any. */
export function cleanStopInProgress(key: string): Promise<unknown> | undefined {
  return inProgress.get(key)
}

/**
 * Kills the container whose clean stop is in progress and waits until that stop has ended
 * (its own error included: the container is down either way). Nothing to do when the clean
 * stop has ended meanwhile: the container is stopped, which is what was asked.
 */
export async function preemptCleanStop(state: State, inst: InstanceRecord): Promise<void> {
  const pending = inProgress.get(lockKey(inst.project, inst.name))
  if (!pending) return
  await stopContainer(state, inst, { force: true, timeout: 0 })
  await pending.catch(() => undefined)
}
