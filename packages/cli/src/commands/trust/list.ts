/** @module `corral config trust list` and `list-tokens`: lxc's tables of trusted certificates and pending tokens. */
import { X509Certificate } from 'node:crypto'
import { encodeToken, tokenFromOperation } from '@corral/client'
import type { CommandDefinition } from '../../command.js'
import { struct } from '../../render/go-value.js'
import { listCommand } from '../list-command.js'

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number): string => String(n).padStart(2, '0')

/** Go's "Jan 2, 2006 at 3:04pm (MST)" in UTC, as x509 times are. */
export function certDate(d: Date): string {
  const h = d.getUTCHours() % 12 || 12
  const ampm = d.getUTCHours() < 12 ? 'am' : 'pm'
  return `${months[d.getUTCMonth()]!} ${d.getUTCDate()}, ${d.getUTCFullYear()} at ${h}:${pad(d.getUTCMinutes())}${ampm} (UTC)`
}

/** Go's "2006/01/02 15:04 MST" for a token's expiry, in UTC. */
export function tokenDate(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime()) || d.getTime() <= 0) return ''
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`
}

/** The common name of a certificate subject. */
function commonName(cert: X509Certificate): string {
  return /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? ''
}

/** `corral config trust list|ls [<remote>:]`. */
export const trustList: CommandDefinition = listCommand({
  short: 'List trusted clients',
  header: ['TYPE', 'NAME', 'COMMON NAME', 'FINGERPRINT', 'ISSUE DATE', 'EXPIRY DATE'],
  fetch: (client) => client.certificates.list(),
  rows: (certs) =>
    certs.map((c) => {
      let x509: X509Certificate
      try {
        x509 = new X509Certificate(c.certificate)
      } catch {
        throw new Error('Invalid certificate')
      }
      return [
        c.type,
        c.name,
        commonName(x509),
        c.fingerprint.slice(0, 12),
        certDate(new Date(x509.validFrom)),
        certDate(new Date(x509.validTo)),
      ]
    }),
  raw: (c) => struct(c, ['name', 'type', 'restricted', 'projects', 'certificate', 'fingerprint']),
})

/** `corral config trust list-tokens [<remote>:]`: running token operations of the default project. */
export const trustListTokens: CommandDefinition = listCommand({
  names: ['list-tokens'],
  short: 'List all active certificate add tokens',
  header: ['NAME', 'TOKEN', 'EXPIRES AT'],
  async fetch(client) {
    const ops = await client.withProject('default').operations.list()
    return ops
      .filter((op) => op.class === 'token' && op.status_code === 103)
      .map(tokenFromOperation)
      .filter((t) => t !== undefined)
      .map((t) => ({ ClientName: t.client_name, Token: encodeToken(t), ExpiresAt: tokenDate(t.expires_at) }))
  },
  rows: (tokens) => tokens.map((t) => [t.ClientName, t.Token, t.ExpiresAt]),
  raw: (t) => struct(t, ['ClientName', 'Token', 'ExpiresAt']),
})
