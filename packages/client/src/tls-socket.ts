/** @module TLS connections to LXD-protocol servers: pinned to a certificate, and fetching one untrusted. */
import { createHash, X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import type { Duplex } from 'node:stream'
import tls from 'node:tls'

/** What a TLS client presents and expects. */
export interface TlsOptions {
  /** The client certificate (PEM) presented to the server. */
  clientCert?: string
  /** Its private key (PEM). */
  clientKey?: string
  /** The server certificate (PEM) to pin; without it the system CAs and the host name decide. */
  serverCert?: string
}

/** A server's certificate as fetched before trusting it. */
export interface ServerCertificate {
  /** PEM text. */
  certificate: string
  /** SHA-256 of the DER, lowercase hex (LXD's fingerprint). */
  fingerprint: string
}

/** Host and port of an `https://` URL (brackets of IPv6 literals removed, default port 8443). */
export function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url)
  if (u.protocol !== 'https:')
    throw new Error(`Invalid URL scheme "${u.protocol.replace(/:$/, '')}" in "${url}"`)
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname
  return { host, port: u.port ? Number(u.port) : 8443 }
}

/** The SHA-256 fingerprint of a PEM certificate. */
export function certificateFingerprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex')
}

/** The refusal when a server shows a certificate other than the pinned one. */
export class CertificateMismatchError extends Error {
  /** The fingerprint the server showed. */
  readonly fingerprint: string
  constructor(url: string, fingerprint: string) {
    super(
      `The server certificate of "${url}" doesn't match the trusted certificate (got fingerprint ${fingerprint})`,
    )
    this.name = 'CertificateMismatchError'
    this.fingerprint = fingerprint
  }
}

/**
 * Opens a TLS 1.3 connection; with a pinned certificate the socket is handed over (`onReady`) only
 * after the peer's certificate equals it byte for byte, so no request byte reaches another server.
 */
export function connectTlsSocket(
  url: string,
  opts: TlsOptions,
  onReady: (err: Error | null, socket: Duplex) => void,
): void {
  const { host, port } = hostPort(url)
  const pinned = opts.serverCert ? new X509Certificate(opts.serverCert).raw : undefined
  const socket = tls.connect({
    host,
    port,
    ...(isIP(host) ? {} : { servername: host }),
    minVersion: 'TLSv1.3',
    cert: opts.clientCert,
    key: opts.clientKey,
    rejectUnauthorized: pinned === undefined,
  })
  const onError = (err: Error): void => onReady(err, socket)
  socket.once('error', onError)
  socket.once('secureConnect', () => {
    socket.off('error', onError)
    const raw = socket.getPeerCertificate().raw
    if (pinned && !(raw && raw.equals(pinned))) {
      const fp = raw ? createHash('sha256').update(raw).digest('hex') : 'none'
      const err = new CertificateMismatchError(url, fp)
      socket.destroy()
      return onReady(err, socket)
    }
    onReady(null, socket)
  })
}

/** Fetches a server's certificate without trusting it and without presenting a client certificate. */
export function fetchServerCertificate(url: string, timeoutMs = 10_000): Promise<ServerCertificate> {
  const { host, port } = hostPort(url)
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      minVersion: 'TLSv1.2',
      rejectUnauthorized: false,
    })
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('Connection timed out')))
    socket.once('error', reject)
    socket.once('secureConnect', () => {
      const raw = socket.getPeerCertificate().raw
      socket.end()
      if (!raw) return reject(new Error('Unable to read remote TLS certificate'))
      const certificate = new X509Certificate(raw).toString()
      resolve({ certificate, fingerprint: createHash('sha256').update(raw).digest('hex') })
    })
  })
}
