/** @module `corral config trust list` and `list-tokens`: lxc's tables of trusted certificates and pending tokens. */
import { X509Certificate } from 'node:crypto'
import { encodeToken, tokenFromOperation } from '@corral/client'
import type { CommandDefinition } from '../../command.js'
import { struct } from '../../render/go-value.js'
import { list } from '../../render/result.js'
import { formatFlag, formatOf, remoteClient } from '../common.js'

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
export const trustList: CommandDefinition = {
  names: ['list', 'ls'],
  usage: '[<remote>:]',
  short: 'List trusted clients',
  args: { min: 0, max: 1 },
  flags: [formatFlag],
  async run(ctx, args, flags) {
    const format = formatOf(flags)
    const certs = await (await remoteClient(ctx, args[0])).certificates.list()
    const rows = certs.map((c) => {
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
    })
    const header = ['TYPE', 'NAME', 'COMMON NAME', 'FINGERPRINT', 'ISSUE DATE', 'EXPIRY DATE']
    const fields = ['name', 'type', 'restricted', 'projects', 'certificate', 'fingerprint']
    return list({ header, rows, raw: certs.map((c) => struct(c, fields)) }, format)
  },
}

/** `corral config trust list-tokens [<remote>:]`: running token operations of the default project. */
export const trustListTokens: CommandDefinition = {
  names: ['list-tokens'],
  usage: '[<remote>:]',
  short: 'List all active certificate add tokens',
  args: { min: 0, max: 1 },
  flags: [formatFlag],
  async run(ctx, args, flags) {
    const format = formatOf(flags)
    const ops = await (await remoteClient(ctx, args[0])).withProject('default').operations.list()
    const tokens = ops
      .filter((op) => op.class === 'token' && op.status_code === 103)
      .map(tokenFromOperation)
      .filter((t) => t !== undefined)
      .map((t) => ({ ClientName: t.client_name, Token: encodeToken(t), ExpiresAt: tokenDate(t.expires_at) }))
    const rows = tokens.map((t) => [t.ClientName, t.Token, t.ExpiresAt])
    const raw = tokens.map((t) => struct(t, ['ClientName', 'Token', 'ExpiresAt']))
    return list({ header: ['NAME', 'TOKEN', 'EXPIRES AT'], rows, raw }, format)
  },
}
