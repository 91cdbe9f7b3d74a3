/** @module Trust tokens as LXD encodes them: base64 of the JSON CertificateAddToken. */
import type { CertificateAddToken, Operation } from '@corral/api'

/** Go's time.Time JSON form: RFC 3339 with trailing zeros of the fraction dropped. */
function goTime(iso: string): string {
  return iso.replace(/\.(\d*?)0+(?=Z|[+-]\d\d:\d\d$)/, (_, digits: string) => (digits ? `.${digits}` : ''))
}

/** Encodes a token as `lxc config trust add` prints it (fields in Go's struct order). */
export function encodeToken(token: CertificateAddToken): string {
  const body = {
    client_name: token.client_name,
    fingerprint: token.fingerprint,
    addresses: token.addresses,
    secret: token.secret,
    expires_at: goTime(token.expires_at),
  }
  return Buffer.from(JSON.stringify(body)).toString('base64')
}

/** Decodes a token; throws "Failed decoding trust token: …" for anything malformed or incomplete. */
export function decodeToken(text: string): CertificateAddToken {
  const fail = (reason: string): never => {
    throw new Error(`Failed decoding trust token: ${reason}`)
  }
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text) || text === '')
    fail('illegal base64 data')
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64').toString('utf8'))
  } catch {
    return fail('invalid JSON')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('invalid JSON')
  const t = parsed as Record<string, unknown>
  const str = (k: string): string => (typeof t[k] === 'string' ? t[k] : '')
  const addresses = Array.isArray(t.addresses) ? t.addresses.filter((a) => typeof a === 'string') : []
  if (!str('client_name')) fail('No client name in certificate add token')
  if (addresses.length === 0) fail('No server addresses in certificate add token')
  if (!str('secret')) fail('No secret in certificate add token')
  if (!str('fingerprint')) fail('No certificate fingerprint in certificate add token')
  return {
    client_name: str('client_name'),
    fingerprint: str('fingerprint'),
    addresses,
    secret: str('secret'),
    expires_at: str('expires_at') || '0001-01-01T00:00:00Z',
  }
}

/** The token a token-class operation stands for (LXD's ToCertificateAddToken), or undefined. */
export function tokenFromOperation(op: Operation): CertificateAddToken | undefined {
  const m = op.metadata ?? {}
  const request = m.request as { name?: unknown } | undefined
  const addresses = m.addresses
  if (typeof request?.name !== 'string' || typeof m.secret !== 'string') return undefined
  if (typeof m.fingerprint !== 'string' || !Array.isArray(addresses)) return undefined
  return {
    client_name: request.name,
    fingerprint: m.fingerprint,
    addresses: addresses.filter((a): a is string => typeof a === 'string'),
    secret: m.secret,
    expires_at: typeof m.expiresAt === 'string' ? m.expiresAt : '0001-01-01T00:00:00Z',
  }
}
