/** @module Network checks: unfiltered NICs on shared bridges, and bridges whose router advertisements the host takes. */
import { isTrue } from '../config/validate.js'
import { networkOf } from '../device/registry.js'
import { allOf, namesOf, networkSubject, instanceSubject, type Finding } from './finding.js'
import type { AuditInput, InstanceView } from './input.js'
import { deviceSetCommand, displayName } from './instance-fixes.js'

/** A bridged NIC of an instance and the Linux bridge it joins. */
interface BridgedNic {
  view: InstanceView
  device: string
  config: Record<string, string>
  bridge: string
  managed: boolean
}

function bridgedNics(input: AuditInput): BridgedNic[] {
  return input.instances.flatMap((view) =>
    Object.entries(view.expanded.devices)
      // A device that joins a bridge (its driver says which) shares that L2 segment with the others on it.
      .flatMap(([device, config]) => {
        const bridge = networkOf(config)
        return bridge ? [{ view, device, config, bridge, managed: Boolean(config.network) }] : []
      }),
  )
}

const key = (v: InstanceView) => `${v.project}/${v.name}`

/**
 * The filtering keys a NIC lacks. On a managed network both IP filters (they imply MAC
 * filtering): the address is learnt from DHCP and SLAAC. On a bridge the daemon does not
 * manage, IP filtering needs a static address, so MAC filtering plus the families that have one.
 */
function missingFilters(nic: BridgedNic): string[] {
  const c = nic.config
  const wanted = nic.managed
    ? ['security.ipv4_filtering', 'security.ipv6_filtering']
    : [
        ...(isTrue(c['security.ipv4_filtering']) || isTrue(c['security.ipv6_filtering'])
          ? []
          : ['security.mac_filtering']),
        ...(c['ipv4.address'] ? ['security.ipv4_filtering'] : []),
        ...(c['ipv6.address'] ? ['security.ipv6_filtering'] : []),
      ]
  return wanted.filter((k) => !isTrue(c[k]))
}

/** `IPv4 and IPv6 filtering`, from the keys. */
function filterNames(keys: readonly string[]): string {
  const names = keys.map((k) =>
    k.replace('security.', '').replace('_filtering', '').replace('ipv', 'IPv').replace('mac', 'MAC'),
  )
  return `${names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}` : names[0]!} filtering`
}

/** `nic-unfiltered`: a bridged NIC without MAC and IP filtering on a bridge other instances share. */
export function checkUnfilteredNics(input: AuditInput): Finding[] {
  const nics = bridgedNics(input)
  const users = new Map<string, Map<string, InstanceView>>()
  for (const n of nics) {
    const m = users.get(n.bridge) ?? new Map<string, InstanceView>()
    m.set(key(n.view), n.view)
    users.set(n.bridge, m)
  }
  const byInstance = new Map<string, BridgedNic[]>()
  for (const n of nics) {
    if ((users.get(n.bridge)?.size ?? 0) < 2 || missingFilters(n).length === 0) continue
    byInstance.set(key(n.view), [...(byInstance.get(key(n.view)) ?? []), n])
  }
  return [...byInstance.values()].map((list) => {
    const v = list[0]!.view
    const parts = list.map((n) => {
      const others = [...users.get(n.bridge)!.values()].filter((o) => o !== v).map(displayName)
      return `NIC "${n.device}" on bridge "${n.bridge}" (shared with ${namesOf(others)}) has no ${filterNames(missingFilters(n))}`
    })
    return {
      id: 'nic-unfiltered',
      severity: 'moderate' as const,
      subject: instanceSubject(v.project, v.name),
      project: v.project,
      message: `${displayName(v)}: ${parts.join('; ')}: it can send frames with its neighbours' MAC and IP addresses, answer ARP for them and send router advertisements`,
      // The filters apply at once on a running instance: no restart.
      fix: allOf(
        list.map((n) =>
          deviceSetCommand(v, n.device, Object.fromEntries(missingFilters(n).map((k) => [k, 'true']))),
        ),
      ),
    }
  })
}

/** `bridge-accept-ra`: the host takes router advertisements on a managed bridge where a NIC lacks IPv6 filtering. */
export function checkBridgeRouterAdvertisements(input: AuditInput): Finding[] {
  const nics = bridgedNics(input)
  return input.networks
    .filter((n) => n.acceptsRa === true)
    .flatMap((net): Finding[] => {
      const open = nics.filter((n) => n.bridge === net.name && !isTrue(n.config['security.ipv6_filtering']))
      if (open.length === 0) return []
      const names = [...new Set(open.map((n) => displayName(n.view)))]
      return [
        {
          id: 'bridge-accept-ra',
          severity: 'moderate',
          subject: networkSubject(net.name),
          project: 'default',
          message: `The host accepts IPv6 router advertisements on bridge "${net.name}", and ${namesOf(names)} may send them (no IPv6 filtering): an instance can change the host's IPv6 routes. The fix turns IPv6 filtering on; "sysctl -w net.ipv6.conf.${net.name}.accept_ra=0" stops the host listening until the bridge is re-created`,
          fix: allOf(
            open.map((n) => deviceSetCommand(n.view, n.device, { 'security.ipv6_filtering': 'true' })),
          ),
        },
      ]
    })
}
