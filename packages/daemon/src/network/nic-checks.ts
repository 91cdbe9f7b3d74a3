/** @module Checks of an instance's NICs against the networks they join (LXD validates these at update time). */
import { badRequest } from '@corral/api'
import { findNetwork } from '../db/networks.js'
import { nicTypeOf } from '../device/registry.js'
import type { Db } from '../db/db.js'
import { contains, formatIp, lastOf, networkOf, parseIp, type Family } from '../util/ip.js'
import { bridgeSubnet } from './bridge-config.js'
import { isTrue } from '../config/validate.js'

type Devices = Record<string, Record<string, string>>

/** Another instance's NICs, for the static-address clash check. */
export interface OtherInstance {
  project: string
  name: string
  devices: Devices
}

/**
 * Refuses duplicate interface names, NICs on unknown networks, and static addresses outside the
 * network's subnet, equal to its gateway, network or broadcast address, or taken by another instance.
 */
export function checkNics(db: Db, devices: Devices, others: () => OtherInstance[]): void {
  const nics = Object.entries(devices).filter(([, d]) => d.type === 'nic')
  let cached: OtherInstance[] | undefined
  const theOthers = (): OtherInstance[] => (cached ??= others())
  const names = new Map<string, string>()
  for (const [device, c] of nics) {
    const name = c.name || device
    const first = names.get(name)
    if (first) throw badRequest(`Devices "${first}" and "${device}" both use the interface name "${name}"`)
    names.set(name, device)
  }
  for (const [device, c] of nics) {
    if (nicTypeOf(c) !== 'bridged' || !c.network) continue
    const net = findNetwork(db, c.network)
    if (!net) throw badRequest(`Device "${device}": network "${c.network}" not found`)
    for (const family of [4, 6] as Family[]) {
      const address = c[`ipv${family}.address`]
      if (!address || address === 'none') continue
      const subnet = bridgeSubnet(net.config, family)
      const fail = (why: string): never => {
        throw badRequest(`Device "${device}": invalid ipv${family}.address "${address}": ${why}`)
      }
      if (!subnet) fail(`network "${net.name}" has no IPv${family} subnet`)
      if (family === 4 && !isTrue(net.config['ipv4.dhcp'] ?? 'true'))
        fail(`DHCP is off on network "${net.name}"`)
      const ip = parseIp(address)!
      if (!contains(subnet!.cidr, ip)) fail(`outside the network's subnet ${subnet!.subnet}`)
      if (ip.value === subnet!.cidr.address) fail("it is the network's own address")
      if (ip.value === networkOf(subnet!.cidr) || (family === 4 && ip.value === lastOf(subnet!.cidr)))
        fail('not a host address of the subnet')
      for (const other of theOthers()) {
        for (const [otherDevice, oc] of Object.entries(other.devices)) {
          const taken = oc.type === 'nic' && oc.network === c.network && oc[`ipv${family}.address`]
          if (taken && parseIp(taken)?.value === ip.value)
            fail(`already used by ${other.name}'s device "${otherDevice}" (${formatIp(family, ip.value)})`)
        }
      }
    }
  }
}
