/** @module Peer credentials of a unix socket connection, through the native helper. */
import { createRequire } from 'node:module'
import type { Socket } from 'node:net'

/** A unix peer's process, user and group ids. */
export interface PeerCred {
  pid: number
  uid: number
  gid: number
}

const require = createRequire(import.meta.url)
const addon = require('../../../native/build/peercred.node') as { getPeerCred(fd: number): PeerCred }

/** Reads SO_PEERCRED of a connected unix socket. */
export function peerCredOf(socket: Socket): PeerCred {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd
  if (typeof fd !== 'number' || fd < 0) throw new Error('Socket has no file descriptor')
  return addon.getPeerCred(fd)
}
