/** @module The xtables firewall driver: iptables/ip6tables for bridges, ebtables (+ ip6tables for NDP) for NICs. */
import type { CommandRunner } from '../../host/runner.js'
import type { Firewall, FirewallDriver } from '../firewall.js'
import { routedRules, ruleArgs, xtablesNetworkRules, xtablesNicRules, type XtablesRule } from './rules.js'
import { sysctlGet } from '../../host/net.js'

/**
 * Builds the xtables driver. Rules are removed by listing the chains and deleting the lines
 * that carry the bridge's comment or the NIC's interface, so removal needs no memory of what
 * was applied (a restarted daemon removes what the previous one added).
 */
function xtablesFirewall(host: CommandRunner, id: string): Firewall {
  const run = async (rules: readonly XtablesRule[]) => {
    for (const [tool, ...args] of rules) await host.run(tool, tool === 'ebtables' ? args : ['-w', ...args])
  }
  /** Deletes every rule of `tool`'s `table`/`chain` whose line matches. */
  const removeMatching = async (
    tool: XtablesRule[0],
    table: string,
    chain: string,
    match: (line: string) => boolean,
  ) => {
    const listed = await host
      .run(tool, tool === 'ebtables' ? ['-t', table, '-L', chain] : ['-w', '-t', table, '-S', chain])
      .catch(() => ({ stdout: '' }))
    const lines = listed.stdout.split('\n').filter((l) => l.startsWith('-') && match(l))
    for (const line of lines.reverse()) {
      const args = ruleArgs(line)
      const rule =
        tool === 'ebtables'
          ? ['-t', table, '-D', chain, ...args]
          : ['-w', '-t', table, ...args.map((a) => (a === '-A' ? '-D' : a))]
      await host.run(tool, rule).catch(() => {})
    }
  }
  const networkComment = (bridge: string) => `corral.${id}.${bridge}`
  const removeNetwork = async (bridge: string) => {
    const has = (l: string) => l.includes(networkComment(bridge))
    for (const tool of ['iptables', 'ip6tables'] as const) {
      for (const chain of ['INPUT', 'OUTPUT', 'FORWARD']) await removeMatching(tool, 'filter', chain, has)
      await removeMatching(tool, 'nat', 'POSTROUTING', has)
    }
  }
  const removeNic = async (hostName: string) => {
    for (const chain of ['INPUT', 'FORWARD'])
      await removeMatching('ebtables', 'filter', chain, (l) =>
        ruleArgs(l).join(' ').includes(`-i ${hostName} `),
      )
    await removeMatching('ip6tables', 'raw', 'PREROUTING', (l) => l.includes(`--physdev-in ${hostName} `))
  }
  return {
    name: 'xtables',
    async networkApply(r) {
      await removeNetwork(r.bridge)
      await run(xtablesNetworkRules(r, networkComment(r.bridge)))
    },
    networkRemove: removeNetwork,
    async nicFilterApply(f) {
      if (f.ipv6 && sysctlGet('net/bridge/bridge-nf-call-ip6tables') === undefined)
        throw new Error('IPv6 filtering with the xtables firewall needs the br_netfilter kernel module')
      await removeNic(f.hostName)
      await run(xtablesNicRules(f))
    },
    nicFilterRemove: (_label, hostName) => removeNic(hostName),
    async routedApply(hostName) {
      await removeMatching('iptables', 'raw', 'PREROUTING', (l) => l.includes(`-i ${hostName} `))
      await removeMatching('ip6tables', 'raw', 'PREROUTING', (l) => l.includes(`-i ${hostName} `))
      await run(routedRules(hostName))
    },
    async routedRemove(hostName) {
      await removeMatching('iptables', 'raw', 'PREROUTING', (l) => l.includes(`-i ${hostName} `))
      await removeMatching('ip6tables', 'raw', 'PREROUTING', (l) => l.includes(`-i ${hostName} `))
    },
  }
}

/** The output of a command, or undefined when it cannot run or fails. */
const output = (host: CommandRunner, cmd: string, args: string[]) =>
  host.run(cmd, args).then(
    (r) => r.stdout,
    () => undefined,
  )

/** The xtables driver: LXD's fallback where nftables does not work, and kept where its rules are in place. */
export const xtablesDriver: FirewallDriver = {
  name: 'xtables',
  short:
    "iptables/ip6tables chains and ebtables tagged with the daemon's table name (IPv6 filtering needs br_netfilter)",
  async inUse(host, table) {
    for (const tool of ['iptables', 'ip6tables'])
      if ((await output(host, tool, ['-w', '-S']))?.includes(`corral.${table}.`)) return true
    return false
  },
  works: async (host) => (await output(host, 'iptables', ['-w', '-S'])) !== undefined,
  create: xtablesFirewall,
}
