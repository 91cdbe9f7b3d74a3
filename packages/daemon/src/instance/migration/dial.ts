/**
 * @module Joins another server's migration operation: `wss://host/1.0/operations/ID/websocket?secret=`,
 * the peer pinned to the certificate the client passed on (the secret is sent only to that peer).
 */
import { X509Certificate } from 'node:crypto'
import type { ConnectionOptions, PeerCertificate } from 'node:tls'
import { WebSocket, type ClientOptions } from 'ws'
import { badRequest } from '@corral/api'
import { MigrationSocket } from './socket.js'

/** How long joining one websocket may take. */
const handshakeMs = 10_000
/** Largest frame the peer may send us (rsync writes at most 32 KiB per frame; headers are small). */
const maxFrame = 4 * 1024 * 1024

/** Where the peer's operation is and how to trust it. */
export interface PeerOperation {
  /** `https://host:port/1.0/operations/ID`. */
  url: string
  /** PEM; empty means the system's CAs decide. */
  certificate: string
}

/** Checks an operation URL and a certificate from a request; 400 when unusable. */
export function parsePeerOperation(url: string, certificate: string): PeerOperation {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw badRequest(`Invalid migration operation URL "${url}"`)
  }
  if (u.protocol !== 'https:' || !/^\/1\.0\/operations\/[^/]+$/.test(u.pathname) || u.search || u.username)
    throw badRequest(`Invalid migration operation URL "${url}": must be https://HOST/1.0/operations/ID`)
  if (certificate) {
    try {
      new X509Certificate(certificate)
    } catch {
      throw badRequest('Invalid certificate')
    }
  }
  return { url: u.href, certificate }
}

/** Connects one websocket of the peer's operation with its secret. */
export async function dialMigration(peer: PeerOperation, secret: string): Promise<MigrationSocket> {
  const target = new URL(peer.url)
  target.protocol = 'wss:'
  target.pathname += '/websocket'
  target.searchParams.set('secret', secret)
  const pinned = peer.certificate ? new X509Certificate(peer.certificate) : undefined
  const options: ClientOptions & ConnectionOptions = {
    handshakeTimeout: handshakeMs,
    maxPayload: maxFrame,
    minVersion: 'TLSv1.2',
    perMessageDeflate: false,
    ...(pinned
      ? {
          // The pinned certificate is the only trust anchor, and the peer must present exactly it.
          ca: peer.certificate,
          servername: '',
        }
      : {}),
  }
  // ws hands TLS options to tls.connect as they are; its own type of this hook is older than Node's.
  if (pinned)
    (options as ConnectionOptions).checkServerIdentity = (_host: string, cert: PeerCertificate) =>
      cert.raw?.equals(pinned.raw)
        ? undefined
        : new Error("The server's certificate does not match the expected one")
  const ws = new WebSocket(target, options)
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate()
      reject(new Error(`Failed to connect to the migration source: HTTP ${res.statusCode ?? '?'}`))
    })
  })
  return new MigrationSocket(ws)
}
