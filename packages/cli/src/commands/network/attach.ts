/** @module `network attach|detach|attach-profile|detach-profile`: NIC devices on instances and profiles. */
import type { Network } from '@corral/api'
import type { Client } from '@corral/client'
import type { CommandDefinition } from '../../command.js'
import type { Context } from '../../context.js'
import { none } from '../../render/result.js'
import { putOf } from '../instance/config.js'
import { networkRef } from './common.js'

type Devices = Record<string, Record<string, string>>

/** Where NIC devices are added: an instance or a profile, with GET and PUT of its own devices. */
interface NicOwner {
  load(client: Client, name: string): Promise<{ devices: Devices; save: (devices: Devices) => Promise<void> }>
}

const instanceOwner: NicOwner = {
  async load(client, name) {
    const { instance, etag } = await client.instances.get(name)
    return {
      devices: { ...instance.devices },
      save: (devices) => client.instances.put(name, { ...putOf(instance), devices }, etag),
    }
  },
}

const profileOwner: NicOwner = {
  async load(client, name) {
    const { profile, etag } = await client.profiles.get(name)
    return {
      devices: { ...profile.devices },
      save: (devices) =>
        client.profiles.put(
          name,
          { config: profile.config, description: profile.description, devices },
          etag,
        ),
    }
  },
}

/** The NIC lxc builds for a network: `network=` for a managed one (when the server knows it), else a parent. */
async function nicFor(client: Client, network: Network, byNetwork: boolean): Promise<Record<string, string>> {
  if (byNetwork && network.managed) {
    const { server } = await client.server.get()
    if (server.api_extensions.includes('instance_nic_network')) return { type: 'nic', network: network.name }
  }
  return { type: 'nic', nictype: network.type === 'bridge' ? 'bridged' : 'macvlan', parent: network.name }
}

/** `attach` and `attach-profile`: `[<remote>:]<network> <owner> [<device name>] [<interface name>]`. */
function attachCommand(kind: string, owner: NicOwner, byNetwork: boolean, short: string, long: string) {
  const def: CommandDefinition = {
    names: [byNetwork ? 'attach' : 'attach-profile'],
    usage: `[<remote>:]<network> <${kind}> [<device name>] [<interface name>]`,
    short,
    long,
    args: { min: 2, max: 4 },
    async run(ctx: Context, args: string[]) {
      const { client, name } = await networkRef(ctx, args[0]!)
      const devName = args[2] ?? name
      const { network } = await client.networks.get(name)
      const device = await nicFor(client, network, byNetwork)
      if (args[3] !== undefined) device.name = args[3]
      const { devices, save } = await owner.load(client, args[1]!)
      if (devName in devices) throw new Error(`Device already exists: ${devName}`)
      devices[devName] = device
      await save(devices)
      return none()
    },
  }
  return def
}

/** `detach` and `detach-profile`: `[<remote>:]<network> <owner> [<device name>]`. */
function detachCommand(kind: string, owner: NicOwner, names: string[], short: string) {
  const def: CommandDefinition = {
    names,
    usage: `[<remote>:]<network> <${kind}> [<device name>]`,
    short,
    args: { min: 2, max: 3 },
    async run(ctx: Context, args: string[]) {
      const { client, name } = await networkRef(ctx, args[0]!)
      const { devices, save } = await owner.load(client, args[1]!)
      const onNetwork = (d: Record<string, string>): boolean =>
        d.type === 'nic' && (d.parent === name || d.network === name)
      let devName = args[2] ?? ''
      if (devName === '') {
        for (const [n, d] of Object.entries(devices)) {
          if (!onNetwork(d)) continue
          if (devName !== '') throw new Error('More than one device matches, specify the device name')
          devName = n
        }
      }
      if (devName === '') throw new Error('No device found for this network')
      const device = devices[devName]
      if (!device) throw new Error("The specified device doesn't exist")
      if (!onNetwork(device)) throw new Error("The specified device doesn't match the network")
      delete devices[devName]
      await save(devices)
      return none()
    },
  }
  return def
}

/** `network attach [<remote>:]<network> <instance> [<device name>] [<interface name>]`. */
export const networkAttach = attachCommand(
  'instance',
  instanceOwner,
  true,
  'Attach network interfaces to instances',
  'Attach new network interfaces to instances',
)

/** `network attach-profile [<remote>:]<network> <profile> [<device name>] [<interface name>]`. */
export const networkAttachProfile = attachCommand(
  'profile',
  profileOwner,
  false,
  'Attach network interfaces to profiles',
  'Attach network interfaces to profiles',
)

/** `network detach [<remote>:]<network> <instance> [<device name>]`. */
export const networkDetach = detachCommand(
  'instance',
  instanceOwner,
  ['detach'],
  'Detach network interfaces from instances',
)

/** `network detach-profile [<remote>:]<network> <profile> [<device name>]`. */
export const networkDetachProfile = detachCommand(
  'profile',
  profileOwner,
  ['detach-profile'],
  'Detach network interfaces from profiles',
)
