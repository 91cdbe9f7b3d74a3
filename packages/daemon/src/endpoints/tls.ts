/** @module The TLS listener of the remote API and the web UI (/ui/): started, moved and stopped live by core.https_address. */
import { createServer, type Server } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { badRequest } from '@corral/api'
import type { Identity, Router } from '../api/index.js'
import { fingerprintOfDer } from '../certificate/fingerprint.js'
import type { ServerCertificate } from '../certificate/server-cert.js'
import { findCertificate } from '../db/certificates.js'
import type { Db } from '../db/db.js'
import { serveUi } from '../ui/static.js'
import { parseListenAddress } from './listen-addresses.js'

/** Who a TLS peer is: trusted only when its certificate is in the trust store, byte for byte. */
function identify(db: Db, socket: TLSSocket): Identity {
  const address = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''}`
  const peer = socket.getPeerCertificate()
  if (!peer?.raw) return { trusted: false, protocol: 'tls', username: '', address }
  const fingerprint = fingerprintOfDer(peer.raw)
  const stored = findCertificate(db, fingerprint)
  const certificate = pemOf(peer.raw)
  const trusted =
    stored !== undefined && stored.certificate.replace(/\s/g, '') === certificate.replace(/\s/g, '')
  if (!trusted) return { trusted, protocol: 'tls', username: '', address, certificate }
  const identity: Identity = {
    trusted,
    protocol: 'tls',
    username: fingerprint,
    address,
    certificate,
    fingerprint,
  }
  return stored.restricted ? { ...identity, restriction: { projects: stored.projects } } : identity
}

function pemOf(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n')
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`
}

/** At most this many connections without a trusted certificate at once; more are closed at the handshake. */
export const maxUntrustedConnections = 64

/** At most this many connections of one restricted certificate at once, so no tenant fills the listener. */
export const maxConnectionsPerTenant = 128

/** The live TLS listener: apply() binds the new address before the old one is closed. */
export class TlsListener {
  private server: Server | undefined
  private address = ''

  constructor(
    private readonly cert: ServerCertificate,
    private readonly router: Router,
    private readonly db: Db,
  ) {}

  /** The address being served, or '' when not listening. */
  get current(): string {
    return this.address
  }

  /** Listens on `address` ('' stops listening); a bind failure is a 400 and keeps the old listener. */
  async apply(address: string): Promise<void> {
    if (address === this.address) return
    const next = address === '' ? undefined : await this.listenBeside(address)
    await this.close()
    this.server = next
    this.address = address
  }

  /**
   * Binds `address` while the old listener still serves; when the old one holds that port
   * (0.0.0.0:8443 → 127.0.0.1:8443) it is closed first, and bound again if the new bind fails.
   */
  private async listenBeside(address: string): Promise<Server> {
    try {
      return await this.listen(address)
    } catch (err) {
      const old = this.address
      if (!this.server || parseListenAddress(old).port !== parseListenAddress(address).port) throw err
      await this.close()
      try {
        return await this.listen(address)
      } catch (again) {
        this.server = await this.listen(old)
        this.address = old
        throw again
      }
    }
  }

  /** Stops listening. */
  async close(): Promise<void> {
    const old = this.server
    this.server = undefined
    this.address = ''
    if (!old) return
    const closed = new Promise((r) => old.close(r))
    old.closeAllConnections()
    await closed
  }

  private async listen(address: string): Promise<Server> {
    const { host, port } = parseListenAddress(address)
    const server = createServer(
      {
        cert: this.cert.cert,
        key: this.cert.key,
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.3',
      },
      (req, res) => {
        if (serveUi(req, res)) return
        this.router.handle(req, res, identify(this.db, req.socket as TLSSocket))
      },
    )
    server.on('upgrade', (req, socket, head) =>
      this.router.upgrade(req, socket, head, identify(this.db, req.socket as TLSSocket)),
    )
    // Untrusted callers may use a few public endpoints and each tenant its own share: none of
    // them may hold the listener open by the thousand (the admin's certificates are not counted).
    const open = new Map<string, number>()
    server.on('secureConnection', (socket: TLSSocket) => {
      const who = identify(this.db, socket)
      if (who.trusted && !who.restriction) return
      const key = who.trusted ? `tenant:${who.fingerprint ?? ''}` : 'untrusted'
      const count = open.get(key) ?? 0
      if (count >= (who.trusted ? maxConnectionsPerTenant : maxUntrustedConnections))
        return void socket.destroy()
      open.set(key, count + 1)
      socket.once('close', () => {
        const left = (open.get(key) ?? 1) - 1
        if (left > 0) open.set(key, left)
        else open.delete(key)
      })
    })
    server.maxConnections = 1024
    server.headersTimeout = 30_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(badRequest(`Cannot listen on https socket "${address}": ${err.message}`)),
      )
      server.listen({ host: host === '' ? undefined : host, port, ipv6Only: false }, () => resolve())
    })
    return server
  }
}
