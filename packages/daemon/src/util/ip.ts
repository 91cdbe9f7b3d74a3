/** @module IP addresses and subnets as numbers: parsing, containment, overlap, formatting. */
import { isIPv4, isIPv6 } from 'node:net'

/** An IP family by its bit width. */
export type Family = 4 | 6

/** A parsed address. */
export interface IpAddress {
  family: Family
  value: bigint
}

/** A subnet (`address` is the one written, so `198.18.0.1/24` keeps its host part). */
export interface Cidr {
  family: Family
  address: bigint
  prefix: number
}

const bits = (family: Family): number => (family === 4 ? 32 : 128)

/** Parses an IPv4 or IPv6 address; undefined when it is neither. */
export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) {
    const value = text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n)
    return { family: 4, value }
  }
  if (!isIPv6(text) || text.includes('%')) return undefined
  let head = text
  let tail4: bigint | undefined
  const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4) {
    tail4 = parseIp(v4[1]!)!.value
    head = `${text.slice(0, v4.index)}:0:0`
  }
  const [left = '', right] = head.split('::')
  const l = left ? left.split(':') : []
  const r = right !== undefined && right !== '' ? right.split(':') : []
  const groups = right === undefined ? l : [...l, ...Array<string>(8 - l.length - r.length).fill('0'), ...r]
  let value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n)
  if (tail4 !== undefined) value = (value & ~0xffffffffn) | tail4
  return { family: 6, value }
}

/** Formats an address (IPv6 in its shortest form). */
export function formatIp(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.')
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn))
  let best = { start: -1, length: 0 }
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (best.start < 0) return hex.join(':')
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`
}

/** Parses `address/prefix`; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/')
  if (slash < 0) return undefined
  const ip = parseIp(text.slice(0, slash))
  const prefixText = text.slice(slash + 1)
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined
  const prefix = Number(prefixText)
  if (prefix > bits(ip.family)) return undefined
  return { family: ip.family, address: ip.value, prefix }
}

/** The netmask of a prefix as a number. */
function mask(family: Family, prefix: number): bigint {
  const width = BigInt(bits(family))
  return ((1n << width) - 1n) ^ ((1n << (width - BigInt(prefix))) - 1n)
}

/** The subnet's first address (host bits cleared). */
export function networkOf(c: Cidr): bigint {
  return c.address & mask(c.family, c.prefix)
}

/** The subnet's last address. */
export function lastOf(c: Cidr): bigint {
  return networkOf(c) | (mask(c.family, c.prefix) ^ ((1n << BigInt(bits(c.family))) - 1n))
}

/** True when `ip` lies inside the subnet. */
export function contains(c: Cidr, ip: IpAddress): boolean {
  return ip.family === c.family && (ip.value & mask(c.family, c.prefix)) === networkOf(c)
}

/** True when two subnets share an address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && networkOf(a) <= lastOf(b) && networkOf(b) <= lastOf(a)
}

/** `network/prefix` text of a subnet. */
export function formatSubnet(c: Cidr): string {
  return `${formatIp(c.family, networkOf(c))}/${c.prefix}`
}
