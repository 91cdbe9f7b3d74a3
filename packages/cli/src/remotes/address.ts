/** @module Remote addresses as `lxc remote add` reads them: tokens, URLs, host[:port], socket paths. */

/** What the address argument of `remote add` names. */
export type RemoteAddress =
  { kind: 'token'; text: string } | { kind: 'unix'; addr: string } | { kind: 'https'; addr: string }

const hostLike =
  /^(?:\[[0-9A-Fa-f:.]+(?:%[\w.-]+)?\]|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*|[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.?)(?::\d{1,5})?$/

/**
 * Classifies the argument: a URL, an absolute path or something shaped like a host name is an
 * address; anything else is a trust token (a token's JSON always starts `{"`, base64 `eyJ`).
 */
export function classifyAddress(arg: string): RemoteAddress {
  if (arg.startsWith('eyJ')) return { kind: 'token', text: arg }
  if (arg.includes('://') || arg.startsWith('/') || arg.startsWith('unix:')) return normalize(arg)
  if (hostLike.test(arg)) return normalize(arg)
  return { kind: 'token', text: arg }
}

/** Normalizes as lxc does: `https://host:port` (port 8443 by default, IPv6 in brackets) or `unix://path`. */
function normalize(arg: string): RemoteAddress {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(arg)?.[1]
  if (scheme && scheme !== 'https' && scheme !== 'unix')
    throw new Error(`Invalid URL scheme "${scheme}" in "${arg}"`)
  if (scheme === 'unix' || arg.startsWith('/') || arg.startsWith('unix:'))
    return { kind: 'unix', addr: `unix://${arg.replace(/^unix:/, '').replace(/^\/\//, '')}` }
  let rest = scheme ? arg.slice('https://'.length) : arg
  rest = rest.replace(/\/+$/, '')
  if (rest.includes('/')) throw new Error(`Invalid remote address "${arg}"`)
  let host = rest
  let port = '8443'
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest)
  if (bracketed) {
    host = bracketed[1]!
    port = bracketed[2] ?? port
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    ;[host, port] = rest.split(':') as [string, string]
  }
  if (host === '') throw new Error(`Invalid remote address "${arg}"`)
  return { kind: 'https', addr: `https://${host.includes(':') ? `[${host}]` : host}:${port}` }
}
