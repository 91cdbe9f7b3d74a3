/**
 * @module What the API layer may ask of a running or stopped container (its run state, exec,
 * files, logs). LXC implements it in instance/lxc/; handlers import this module, never LXC's.
 */
import { existsSync, readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { InstanceRecord } from '../db/instances.js'
import type { State } from '../state.js'
import { instanceLogDir } from './lxc/exec.js'
import { lxcFiles } from './lxc/paths.js'

export { isAlive, runtimeState, type InstanceStatus, type RuntimeState } from './lxc/runtime.js'
export {
  execEnvironment,
  instanceLogDir,
  startDeferredExec,
  startExec,
  type ExecProcess,
  type ExecSpec,
} from './lxc/exec.js'
export { attachConsole, clearConsoleLog, consoleLog } from './lxc/console.js'
// The files API of a container, whole: what push, pull and delete need.
export * from './lxc/files.js'

/** The log files of an instance: LXC's own and recorded exec output, by file name. */
export function instanceLogFiles(
  state: State,
  inst: Pick<InstanceRecord, 'project' | 'name'>,
): Map<string, string> {
  const files = new Map<string, string>()
  const lxc = lxcFiles(state.paths.dir, inst.project, inst.name)
  for (const p of [lxc.log, lxc.console]) if (existsSync(p)) files.set(basename(p), p)
  const dir = instanceLogDir(state, inst.project, inst.name)
  if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.startsWith('exec_')) files.set(f, join(dir, f))
  return files
}
