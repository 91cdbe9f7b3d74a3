/** @module Fix commands for an instance's keys and devices, written where the value comes from. */
import { isTrue } from '../config/validate.js'
import { allOf, corral } from './finding.js'
import type { InstanceView } from './input.js'

/** The instance's name as messages show it (`p1/c1` outside the default project). */
export function displayName(view: Pick<InstanceView, 'project' | 'name'>): string {
  return view.project === 'default' ? view.name : `${view.project}/${view.name}`
}

/** Appends a restart for a running instance: the change applies at its next start. */
export function thenRestart(view: InstanceView, commands: readonly string[]): string {
  return allOf(view.running ? [...commands, corral(view.project, 'restart', view.name)] : commands)
}

/** Turns a boolean key off: unset when only the instance sets it, else an instance-local `false` over its profiles. */
export function boolOffCommand(view: InstanceView, key: string): string {
  const fromProfile = view.profiles.some((p) => isTrue(p.config[key]))
  return fromProfile || !(key in view.local.config)
    ? corral(view.project, 'config', 'set', view.name, `${key}=false`)
    : corral(view.project, 'config', 'unset', view.name, key)
}

/** Removes a string key wherever it is set: the instance, and each profile that sets it. */
export function unsetEverywhere(view: InstanceView, key: string): string[] {
  return [
    ...(view.local.config[key] ? [corral(view.project, 'config', 'unset', view.name, key)] : []),
    ...view.profiles
      .filter((p) => p.config[key])
      .map((p) => corral(view.project, 'profile', 'unset', p.name, key)),
  ]
}

/** True when the device comes from the instance itself rather than from a profile. */
function isLocalDevice(view: InstanceView, device: string): boolean {
  return device in view.local.devices
}

/** Sets device keys: `device set` on the instance's own device, `device override` on a profile's. */
export function deviceSetCommand(view: InstanceView, device: string, keys: Record<string, string>): string {
  const pairs = Object.entries(keys).map(([k, v]) => `${k}=${v}`)
  const verb = isLocalDevice(view, device) ? ['device', 'set'] : ['device', 'override']
  return corral(view.project, 'config', ...verb, view.name, device, ...pairs)
}

/** Removes a device: `device remove` for the instance's own, a local `none` device over a profile's. */
export function deviceRemoveCommand(view: InstanceView, device: string): string {
  return isLocalDevice(view, device)
    ? corral(view.project, 'config', 'device', 'remove', view.name, device)
    : corral(view.project, 'config', 'device', 'add', view.name, device, 'none')
}
