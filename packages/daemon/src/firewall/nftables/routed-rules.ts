/** @module Pure builder of a routed NIC's reverse-path filter: packets from its veth must come from its addresses. */
import { ifnameWord, nameWord } from '../words.js'
import { nftScript } from './script.js'

/** The chain name of one NIC's filter (`prert.<hostName>`). */
export const routedChain = (hostName: string): string => `prert.${ifnameWord(hostName)}`

/** The nft script adding a routed NIC's reverse-path drop rule (LXD's instanceSetupRPFilter). */
export function routedFilterScript(table: string, hostName: string): string {
  const t = `inet ${nameWord(table)}`
  const c = routedChain(hostName)
  return nftScript([
    `add table ${t}`,
    `add chain ${t} ${c} { type filter hook prerouting priority raw; policy accept; }`,
    `flush chain ${t} ${c}`,
    `add rule ${t} ${c} iifname "${ifnameWord(hostName)}" fib saddr . iif oif missing counter drop`,
  ])
}

/** The nft script removing it (a no-op when absent). */
export function routedFilterRemoveScript(table: string, hostName: string): string {
  const t = `inet ${nameWord(table)}`
  const c = routedChain(hostName)
  return nftScript([`add table ${t}`, `add chain ${t} ${c}`, `delete chain ${t} ${c}`])
}
