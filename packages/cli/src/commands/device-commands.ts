/** @module One builder for the device subcommands of instances (`config device`) and profiles (`profile device`). */
import type { Client } from '@corral/client'
import { parseSetArgs, type CommandDefinition } from '../command.js'
import type { Context } from '../context.js'
import { none, text, yaml } from '../render/result.js'
import { deviceNamesText, parseDeviceProps, removedText } from './device-common.js'

/** A device map: device name → its keys. */
export type Devices = Record<string, Record<string, string>>

/** What owns the devices, and how to read and write them. */
export interface DeviceHost<T> {
  /** The argument name in usage lines (`instance`, `profile`). */
  kind: string
  /** The command path in help examples (`corral config device`). */
  command: string
  /** Resolves `[<remote>:]<name>`. */
  resolve(ctx: Context, arg: string): Promise<{ client: Client; name: string }>
  /** GET of the owner. */
  load(client: Client, name: string): Promise<{ current: T; etag: string | undefined }>
  /** PUT of the owner with `devices` in place of its own devices. */
  save(client: Client, name: string, current: T, devices: Devices, etag: string | undefined): Promise<void>
  /** The owner's own devices. */
  own(current: T): Devices
  /** Devices it inherits (an instance's expanded devices); `get` falls back to them. */
  inherited(current: T): Devices | undefined
  /** `unset` sends the key empty (profiles) rather than deleting it (instances). */
  unsetSendsEmpty: boolean
  /** `set` parses its key=value arguments before resolving the owner (profiles' order). */
  parseBeforeResolve: boolean
}

/** The own device `device`, with lxc's message when it is missing or only inherited. */
function ownDevice<T>(host: DeviceHost<T>, current: T, device: string): Record<string, string> {
  const d = host.own(current)[device]
  if (d) return d
  if (host.inherited(current)?.[device])
    throw new Error(
      'Device from profile(s) cannot be modified for individual instance. Override device or modify profile instead',
    )
  throw new Error("Device doesn't exist")
}

/** GET, change a copy of the own devices, then PUT with If-Match. */
async function updateDevices<T>(
  host: DeviceHost<T>,
  client: Client,
  name: string,
  change: (devices: Devices, current: T) => void,
): Promise<void> {
  const { current, etag } = await host.load(client, name)
  const devices = { ...host.own(current) }
  change(devices, current)
  await host.save(client, name, current, devices, etag)
}

/** The `add|get|set|unset|remove|show|list` device subcommands of one kind of owner. */
export function deviceCommands<T>(
  host: DeviceHost<T>,
): Record<'add' | 'get' | 'set' | 'unset' | 'remove' | 'show' | 'list', CommandDefinition> {
  const owner = `[<remote>:]<${host.kind}>`
  const loadOwner = async (ctx: Context, arg: string): Promise<T> => {
    const { client, name } = await host.resolve(ctx, arg)
    return (await host.load(client, name)).current
  }
  const setKeys = async (
    ctx: Context,
    args: string[],
    values: () => Record<string, string>,
  ): Promise<void> => {
    const parsed = host.parseBeforeResolve ? values() : undefined
    const { client, name } = await host.resolve(ctx, args[0]!)
    const set = parsed ?? values()
    await updateDevices(host, client, name, (devices, current) => {
      devices[args[1]!] = { ...ownDevice(host, current, args[1]!), ...set }
    })
  }
  return {
    add: {
      names: ['add'],
      usage: `${owner} <device> <type> [key=value...]`,
      short: 'Add instance devices',
      examples: `${host.command} add [<remote>:]${host.kind}1 <device-name> disk source=/share/c1 path=/opt
    Will mount the host's /share/c1 onto /opt in the instance.`,
      args: { min: 3, max: Infinity },
      async run(ctx, args) {
        const { client, name } = await host.resolve(ctx, args[0]!)
        const device = args[1]!
        const props = { type: args[2]!, ...parseDeviceProps(args.slice(3)) }
        await updateDevices(host, client, name, (devices) => {
          if (device in devices) throw new Error('The device already exists')
          devices[device] = props
        })
        return text(`Device ${device} added to ${name}\n`)
      },
    },
    get: {
      names: ['get'],
      usage: `${owner} <device> <key>`,
      short: 'Get values for device configuration keys',
      args: { min: 3, max: 3 },
      async run(ctx, args) {
        const current = await loadOwner(ctx, args[0]!)
        const d = host.own(current)[args[1]!] ?? host.inherited(current)?.[args[1]!]
        if (!d) throw new Error("Device doesn't exist")
        return text(`${d[args[2]!] ?? ''}\n`)
      },
    },
    set: {
      names: ['set'],
      usage: `${owner} <device> <key>=<value>...`,
      short: 'Set device configuration keys',
      long: `Set device configuration keys\n\nFor backward compatibility, a single configuration key may still be set with:\n    ${host.command} set ${owner} <device> <key> <value>`,
      args: { min: 3, max: Infinity },
      async run(ctx, args) {
        await setKeys(ctx, args, () => parseSetArgs(args.slice(2)))
        return none()
      },
    },
    unset: {
      names: ['unset'],
      usage: `${owner} <device> <key>`,
      short: 'Unset device configuration keys',
      args: { min: 3, max: 3 },
      async run(ctx, args) {
        if (host.unsetSendsEmpty) {
          await setKeys(ctx, args, () => ({ [args[2]!]: '' }))
          return none()
        }
        const { client, name } = await host.resolve(ctx, args[0]!)
        await updateDevices(host, client, name, (devices, current) => {
          const d = { ...ownDevice(host, current, args[1]!) }
          delete d[args[2]!]
          devices[args[1]!] = d
        })
        return none()
      },
    },
    remove: {
      names: ['remove', 'rm'],
      usage: `${owner} <name>...`,
      short: 'Remove instance devices',
      args: { min: 2, max: Infinity },
      async run(ctx, args) {
        const { client, name } = await host.resolve(ctx, args[0]!)
        await updateDevices(host, client, name, (devices, current) => {
          for (const device of args.slice(1)) {
            if (!(device in devices)) {
              if (host.inherited(current)?.[device])
                throw new Error(
                  'Device from profile(s) cannot be removed from individual instance. Override device or modify profile instead',
                )
              throw new Error("Device doesn't exist")
            }
            delete devices[device]
          }
        })
        return text(removedText(args.slice(1), name))
      },
    },
    show: {
      names: ['show'],
      usage: owner,
      short: 'Show full device configuration',
      args: { min: 1, max: 1 },
      async run(ctx, args) {
        const current = await loadOwner(ctx, args[0]!)
        return yaml(host.own(current))
      },
    },
    list: {
      names: ['list', 'ls'],
      usage: owner,
      short: 'List instance devices',
      args: { min: 1, max: 1 },
      async run(ctx, args) {
        const current = await loadOwner(ctx, args[0]!)
        return text(deviceNamesText(host.own(current)))
      },
    },
  }
}
