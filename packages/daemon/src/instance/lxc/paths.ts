/** @module Where LXC keeps each container: its name, lxcpath and log files. */
import { join } from 'node:path'

/** LXC's container name for an instance: `name` in project default, `project_name` elsewhere (as LXD). */
export function lxcName(project: string, name: string): string {
  return project === 'default' ? name : `${project}_${name}`
}

/** LXC's lxcpath: the directory holding one directory per container (config, logs). */
export function lxcPath(stateDir: string): string {
  return join(stateDir, 'containers')
}

/** The files LXC writes for a container. */
export function lxcFiles(stateDir: string, project: string, name: string) {
  const dir = join(lxcPath(stateDir), lxcName(project, name))
  return { dir, config: join(dir, 'config'), log: join(dir, 'lxc.log'), console: join(dir, 'console.log') }
}
