/** @module The addresses a listen address is reachable at (GET /1.0 `addresses`, trust token addresses). */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os'

/** Default port of the remote API, as LXD's. */
export const defaultHttpsPort = 8443

/** Splits `host[:port]`, `[v6][:port]` or `:port` into a host ('' = all) and a port. */
export function parseListenAddress(value: string): { host: string; port: number } {
  const v6 = /^\[([^\]]*)\](?::(\d+))?$/.exec(value)
  if (v6) return { host: v6[1] === '::' ? '::' : (v6[1] ?? ''), port: Number(v6[2] ?? defaultHttpsPort) }
  const [host = '', port] = value.split(':')
  return { host: host === '0.0.0.0' ? '0.0.0.0' : host, port: Number(port ?? defaultHttpsPort) }
}

/** True for addresses another machine could use: not loopback, link-local, multicast or unspecified. */
function isGlobalUnicast(info: NetworkInterfaceInfo): boolean {
  if (info.internal) return false
  if (info.family === 'IPv4')
    return !/^(0\.|127\.|169\.254\.|22[4-9]\.|23\d\.|24\d\.|25[0-5]\.)/.test(info.address)
  return !/^(::1?$|fe[89ab][0-9a-f]:|ff)/i.test(info.address)
}

/**
 * `host:port` forms of a listen address, as LXD lists them: a wildcard (`:8443`, `0.0.0.0`,
 * `[::]`) expands to every global unicast address of the host (IPv4 only for `0.0.0.0`).
 */
export function listenAddresses(
  value: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  if (value === '') return []
  const { host, port } = parseListenAddress(value)
  const format = (address: string, family: string) =>
    family === 'IPv6' ? `[${address}]:${port}` : `${address}:${port}`
  if (host !== '' && host !== '0.0.0.0' && host !== '::')
    return [format(host, host.includes(':') ? 'IPv6' : 'IPv4')]
  return Object.values(interfaces)
    .flatMap((infos) => infos ?? [])
    .filter((info) => isGlobalUnicast(info) && !(host === '0.0.0.0' && info.family === 'IPv6'))
    .map((info) => format(info.address, info.family))
}
