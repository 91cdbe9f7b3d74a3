/** @module System tier: hand-built Ethernet frames (ARP, IPv4, IPv6 NDP/RA, Q-in-Q) for the spoofing tests. */
const mac = (m: string) => Buffer.from(m.split(':').map((x) => parseInt(x, 16)))
const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff])

function ip4(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number))
}

function ip6(a: string): Buffer {
  const [l = '', r] = a.split('::')
  const left = l ? l.split(':') : []
  const right = r !== undefined && r !== '' ? r.split(':') : []
  const groups =
    r === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return Buffer.concat(groups.map((g) => u16(parseInt(g, 16))))
}

/** The ones'-complement checksum of IP, ICMP and ICMPv6. */
function checksum(buf: Buffer): number {
  let sum = 0
  for (let i = 0; i < buf.length; i += 2) sum += (buf[i]! << 8) + (buf[i + 1] ?? 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16)
  return ~sum & 0xffff
}

/** An Ethernet frame. */
export function ethernet(dst: string, src: string, type: number, payload: Buffer): Buffer {
  return Buffer.concat([mac(dst), mac(src), u16(type), payload])
}

/** An ARP packet (op 1 request, 2 reply). */
export function arp(
  op: number,
  senderMac: string,
  senderIp: string,
  targetMac: string,
  targetIp: string,
): Buffer {
  return Buffer.concat([
    u16(1),
    u16(0x0800),
    Buffer.from([6, 4]),
    u16(op),
    mac(senderMac),
    ip4(senderIp),
    mac(targetMac),
    ip4(targetIp),
  ])
}

/** An IPv4 packet with a correct header checksum. */
export function ipv4(src: string, dst: string, protocol: number, payload: Buffer): Buffer {
  const header = Buffer.concat([
    Buffer.from([0x45, 0]),
    u16(20 + payload.length),
    u16(0x1234),
    u16(0),
    Buffer.from([64, protocol]),
    u16(0),
    ip4(src),
    ip4(dst),
  ])
  header.writeUInt16BE(checksum(header), 10)
  return Buffer.concat([header, payload])
}

/** An ICMP echo request. */
export function icmpEcho(): Buffer {
  const body = Buffer.concat([Buffer.from([8, 0]), u16(0), u16(0x4242), u16(1), Buffer.from('corral-spoof')])
  body.writeUInt16BE(checksum(body), 2)
  return body
}

/** An IPv6 packet; ICMPv6 payloads get their checksum over the pseudo-header. */
export function ipv6(src: string, dst: string, nextHeader: number, payload: Buffer, hopLimit = 64): Buffer {
  const body = Buffer.from(payload)
  if (nextHeader === 58) {
    const pseudo = Buffer.concat([
      ip6(src),
      ip6(dst),
      Buffer.from([0, 0]),
      u16(body.length),
      Buffer.from([0, 0, 0, 58]),
    ])
    body.writeUInt16BE(0, 2)
    body.writeUInt16BE(checksum(Buffer.concat([pseudo, body])), 2)
  }
  return Buffer.concat([
    Buffer.from([0x60, 0, 0, 0]),
    u16(body.length),
    Buffer.from([nextHeader, hopLimit]),
    ip6(src),
    ip6(dst),
    body,
  ])
}

/** An ICMPv6 echo request. */
export function icmp6Echo(): Buffer {
  return Buffer.concat([Buffer.from([128, 0]), u16(0), u16(0x4242), u16(1), Buffer.from('corral-spoof')])
}

/** A neighbour advertisement for `target` with the target link-layer address option. */
export function neighborAdvert(target: string, linkAddr: string): Buffer {
  return Buffer.concat([
    Buffer.from([136, 0]),
    u16(0),
    Buffer.from([0x20, 0, 0, 0]),
    ip6(target),
    Buffer.from([2, 1]),
    mac(linkAddr),
  ])
}

/** A router advertisement announcing `prefix`/64 as on-link and autonomous, with no default route. */
export function routerAdvert(prefix: string, linkAddr: string): Buffer {
  const prefixOption = Buffer.concat([
    Buffer.from([3, 4, 64, 0xc0]),
    Buffer.from([0, 0, 0x0e, 0x10]),
    Buffer.from([0, 0, 0x0e, 0x10]),
    Buffer.alloc(4),
    ip6(prefix),
  ])
  return Buffer.concat([
    Buffer.from([134, 0]),
    u16(0),
    Buffer.from([64, 0]),
    u16(0),
    Buffer.alloc(8),
    prefixOption,
    Buffer.from([1, 1]),
    mac(linkAddr),
  ])
}

/** An 802.1ad (Q-in-Q) frame carrying an 802.1Q-tagged IPv4 packet. */
export function qinq(dst: string, src: string, inner: Buffer): Buffer {
  return Buffer.concat([mac(dst), mac(src), u16(0x88a8), u16(100), u16(0x8100), u16(200), u16(0x0800), inner])
}

/** The hex text `sendframe` takes. */
export const hex = (frame: Buffer): string => frame.toString('hex')
