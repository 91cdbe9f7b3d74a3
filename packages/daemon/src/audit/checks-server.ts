/** @module Server-wide checks: the release, OS updates, the unix socket, the remote API, the trust password. */
import { corral, namesOf, serverSubject, shellWord, type Finding } from './finding.js'
import type { AuditInput } from './input.js'

const server = { subject: serverSubject, project: '' }

/** `unsupported-version`: the release data says support has ended. */
export function checkVersion(input: AuditInput): Finding[] {
  const r = input.release
  if (!r.pastSupportEnd) return []
  return [
    {
      ...server,
      id: 'unsupported-version',
      severity: 'moderate',
      message: `Corral ${r.version} (${r.kind === 'lts' ? 'LTS' : 'feature'} release) reached its support end on ${r.supportEnd}: it gets no more security fixes`,
      fix: 'Install a supported Corral release (SECURITY.md lists them)',
    },
  ]
}

/** `os-updates`: apt's lists (as last downloaded; nothing is fetched) offer security updates not installed. */
export function checkOsUpdates(input: AuditInput): Finding[] {
  const u = input.osUpdates
  if (!u || u.packages.length === 0) return []
  const n = u.packages.length
  const when = u.fetchedAt ? ` (lists of ${u.fetchedAt.slice(0, 10)})` : ''
  return [
    {
      ...server,
      id: 'os-updates',
      severity: 'moderate',
      message: `${n} security update${n === 1 ? ' is' : 's are'} pending per apt's lists${when}: ${namesOf(u.packages, 8)}`,
      fix: 'apt-get update && apt-get upgrade',
    },
  ]
}

/** `socket-group` (members of the socket's group are root-equivalent) and `socket-world` (anyone is). */
export function checkSocket(input: AuditInput): Finding[] {
  const s = input.socket
  if (!s) return []
  const out: Finding[] = []
  const { group, mode, members } = s.access
  if ((mode & 0o006) !== 0)
    out.push({
      ...server,
      id: 'socket-world',
      severity: 'high',
      message: `The unix socket ${s.path} is mode ${mode.toString(8).padStart(4, '0')}: every local user can open it and control the host as root`,
      fix: `chmod 0660 ${shellWord(s.path)}`,
    })
  if (members.length > 0) {
    const fixes = members.map((m) =>
      m.primary
        ? `usermod -g users ${shellWord(m.user)}`
        : `gpasswd -d ${shellWord(m.user)} ${shellWord(group)}`,
    )
    out.push({
      ...server,
      id: 'socket-group',
      severity: 'low',
      message: `Members of group "${group}" can open the unix socket, which is root-equivalent: ${namesOf(
        members.map((m) => m.user),
        10,
      )}`,
      fix: fixes.join(' && '),
    })
  }
  return out
}

/** Host and port of a listen address as core.https_address takes it (`[::]:8443`, `:8443`, `0.0.0.0`). */
function splitListen(address: string): { host: string; port: string } {
  const v6 = /^\[([^\]]*)\](?::(\d+))?$/.exec(address)
  if (v6) return { host: v6[1]!, port: v6[2] ?? '8443' }
  const colon = address.lastIndexOf(':')
  if (colon < 0) return { host: address, port: '8443' }
  return { host: address.slice(0, colon), port: address.slice(colon + 1) || '8443' }
}

/** `https-wildcard`: the remote API listens on every address of the host. */
export function checkHttpsAddress(input: AuditInput): Finding[] {
  const address = input.serverConfig['core.https_address'] ?? ''
  if (address === '') return []
  const { host, port } = splitListen(address)
  if (!['', '0.0.0.0', '::'].includes(host)) return []
  return [
    {
      ...server,
      id: 'https-wildcard',
      severity: 'moderate',
      message: `core.https_address is "${address}": the remote API listens on every address of the host; bind the one address clients use (127.0.0.1 below) and allow only their hosts in the firewall`,
      fix: corral(undefined, 'config', 'set', `core.https_address=127.0.0.1:${port}`),
    },
  ]
}

/** `trust-password`: a trust password is set (anyone who guesses it is trusted; tokens are single-use and expire). */
export function checkTrustPassword(input: AuditInput): Finding[] {
  if (!input.serverConfig['core.trust_password']) return []
  return [
    {
      ...server,
      id: 'trust-password',
      severity: 'moderate',
      message:
        'core.trust_password is set: whoever guesses it becomes a trusted client with full control; trust tokens (corral config trust add) are single-use and expire',
      fix: corral(undefined, 'config', 'unset', 'core.trust_password'),
    },
  ]
}
