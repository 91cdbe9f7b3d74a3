/** @module The managed bridge on the host: link, addresses, sysctls, firewall chains and its dnsmasq. */
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isTrue } from '../config/validate.js'
import type { NetworkRecord } from '../db/networks.js'
import { dnsmasqArgs, dnsmasqFiles } from '../dnsmasq/args.js'
import { DnsmasqProcess } from '../dnsmasq/process.js'
import type { FamilyFeatures } from '../firewall/firewall.js'
import { ipBatch, ipCmd, ipv6ConfInterfaces, linkExists, sysctlGet, sysctlSet } from '../host/net.js'
import type { State } from '../state.js'
import { Reverter } from '../util/revert.js'
import type { DnsmasqRegistry, NetworkRuntime } from './runtime.js'
import { bridgeSubnet, dnsmasqV4, dnsmasqV6 } from './bridge-config.js'
import { bridgeKeys } from './bridge-keys.js'

/** The directory of a network's dnsmasq files. */
export function networkDir(state: State, name: string): string {
  return join(state.paths.dir, 'networks', name)
}

/** The firewall features of one family for the bridge's config. */
function features(config: Record<string, string>, family: 4 | 6): FamilyFeatures | undefined {
  const s = bridgeSubnet(config, family)
  if (!s) return undefined
  const firewall = isTrue(bridgeKeys.get(config, `ipv${family}.firewall`))
  const routing = isTrue(bridgeKeys.get(config, `ipv${family}.routing`))
  return {
    dhcpDnsAccess: firewall,
    forward: firewall && routing,
    ...(isTrue(config[`ipv${family}.nat`]) ? { natSubnet: s.subnet } : {}),
  }
}

/** Enables forwarding as LXD does for a routed family (IPv6: accept_ra 1 → 2 first, so hosts keep their RAs). */
function enableForwarding(family: 4 | 6): void {
  if (family === 4) {
    if (sysctlGet('net/ipv4/ip_forward') !== '1') sysctlSet('net/ipv4/ip_forward', '1')
    return
  }
  const ifaces = ipv6ConfInterfaces()
  for (const i of ifaces)
    if (sysctlGet(`net/ipv6/conf/${i}/accept_ra`) === '1') sysctlSet(`net/ipv6/conf/${i}/accept_ra`, '2')
  for (const i of ifaces)
    if (sysctlGet(`net/ipv6/conf/${i}/forwarding`) !== '1') sysctlSet(`net/ipv6/conf/${i}/forwarding`, '1')
}

export type { DnsmasqRegistry, NetworkRuntime } from './runtime.js'

/** Leaves every dnsmasq serving without supervision (daemon shutdown: instances keep DHCP and DNS). */
export function detachNetworks(runtime: NetworkRuntime): void {
  for (const proc of runtime.dnsmasq.values()) proc.detach()
  runtime.dnsmasq.clear()
}

/**
 * Brings the bridge to its config: creates the link if missing (undone on failure), sets MTU,
 * MAC and addresses, forwarding, the firewall chains, and (re)starts dnsmasq. Idempotent, so
 * the daemon runs it at start and after every config change.
 */
export async function setupBridge(
  state: State,
  net: NetworkRecord,
  registry: DnsmasqRegistry,
): Promise<void> {
  const { name, config } = net
  const revert = new Reverter()
  try {
    if (!linkExists(name)) {
      await ipBatch(state.host, [ipCmd`link add ${name} type bridge`])
      revert.add(() => ipBatch(state.host, [ipCmd`link del ${name}`]))
    }
    const v4 = bridgeSubnet(config, 4)
    const v6 = bridgeSubnet(config, 6)
    sysctlSet(`net/ipv6/conf/${name}/disable_ipv6`, v6 ? '0' : '1')
    if (v6) sysctlSet(`net/ipv6/conf/${name}/autoconf`, '0')
    const mac = config['bridge.hwaddr']
    await ipBatch(state.host, [
      mac
        ? ipCmd`link set ${name} mtu ${bridgeKeys.get(config, 'bridge.mtu')} address ${mac} up`
        : ipCmd`link set ${name} mtu ${bridgeKeys.get(config, 'bridge.mtu')} up`,
      ipCmd`addr flush dev ${name} scope global`,
      ...(v4 ? [ipCmd`addr add ${config['ipv4.address']!} dev ${name}`] : []),
      ...(v6 ? [ipCmd`addr add ${config['ipv6.address']!} dev ${name}`] : []),
    ])
    const f4 = features(config, 4)
    const f6 = features(config, 6)
    if (v4 && isTrue(bridgeKeys.get(config, 'ipv4.routing'))) enableForwarding(4)
    if (v6 && isTrue(bridgeKeys.get(config, 'ipv6.routing'))) enableForwarding(6)
    // The host is the router on its bridge: it takes no router advertisements there (LXD leaves
    // accept_ra as it was, so an instance could set the host's IPv6 routes). After forwarding,
    // which turns accept_ra 1 into 2 everywhere.
    if (v6) sysctlSet(`net/ipv6/conf/${name}/accept_ra`, '0')
    await state.firewall.networkApply({ bridge: name, ...(f4 ? { v4: f4 } : {}), ...(f6 ? { v6: f6 } : {}) })
    revert.add(() => state.firewall.networkRemove(name))
    await startDnsmasq(state, net, registry)
    revert.success()
  } finally {
    await revert.fail()
  }
}

/** (Re)starts the bridge's dnsmasq for its config; none when the bridge has no address. */
async function startDnsmasq(state: State, net: NetworkRecord, registry: DnsmasqRegistry): Promise<void> {
  await registry.get(net.name)?.stop()
  registry.delete(net.name)
  const v4 = dnsmasqV4(net.config)
  const v6 = dnsmasqV6(net.config)
  if (!v4 && !v6) return
  const dir = networkDir(state, net.name)
  const files = dnsmasqFiles(dir)
  mkdirSync(files.hosts, { recursive: true })
  // dnsmasq drops to nobody; it re-reads the hosts directory on SIGHUP, so that must stay readable.
  for (const d of [join(state.paths.dir, 'networks'), dir]) chmodSync(d, 0o711)
  chmodSync(files.hosts, 0o755)
  writeFileSync(files.raw, `${net.config['raw.dnsmasq'] ?? ''}\n`, { mode: 0o644 })
  const args = dnsmasqArgs({
    bridge: net.name,
    dir,
    ...(v4 ? { v4 } : {}),
    ...(v6 ? { v6 } : {}),
    domain: bridgeKeys.get(net.config, 'dns.domain'),
    dnsMode: bridgeKeys.get(net.config, 'dns.mode') as 'managed' | 'dynamic' | 'none',
    dnsSearch: (net.config['dns.search'] ?? '').split(',').filter(Boolean),
    mtu: Number(bridgeKeys.get(net.config, 'bridge.mtu')),
    user: 'nobody',
    group: existsSync('/etc/group') ? 'nogroup' : 'nobody',
  })
  const host = state.host
  const proc = new DnsmasqProcess(
    net.name,
    args,
    files.pid,
    (cmd, a) => host.spawn(cmd, a, { stdio: ['ignore', 'ignore', 'pipe'], detached: true }),
    state.log,
  )
  await proc.start()
  registry.set(net.name, proc)
}

/** Removes everything setupBridge made: dnsmasq, firewall chains, the link and the files. */
export async function teardownBridge(state: State, name: string, registry: DnsmasqRegistry): Promise<void> {
  await registry.get(name)?.stop()
  registry.delete(name)
  await state.firewall.networkRemove(name)
  if (linkExists(name)) await ipBatch(state.host, [ipCmd`link del ${name}`])
  rmSync(networkDir(state, name), { recursive: true, force: true })
}
