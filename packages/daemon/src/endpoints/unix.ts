/** @module The unix socket listener: stale-socket handling, mode and group, peer credentials. */
import { chmodSync, chownSync, existsSync, unlinkSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { Identity, Router } from '../api/index.js'
import { peerCredOf } from '../host/peercred.js'
import { userName } from '../host/users.js'

/** Resolves true when a daemon answers on the socket path. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path)
    probe.once('connect', () => {
      probe.destroy()
      resolve(true)
    })
    probe.once('error', () => resolve(false))
  })
}

/** Refuses when another daemon answers on the socket; removes a stale socket file. */
export async function claimSocketPath(path: string): Promise<void> {
  if (!existsSync(path)) return
  if (await socketAnswers(path)) throw new Error(`Another daemon is already running on ${path}`)
  unlinkSync(path)
}

/** Identifies a unix peer: trusted (file permissions already let it in), named by its uid. */
function identify(socket: Socket): Identity {
  const cred = peerCredOf(socket)
  return { trusted: true, protocol: 'unix', username: userName(cred.uid), address: '@', uid: cred.uid }
}

/** Starts the HTTP server on the unix socket, mode 0660, owned by root and the given group. */
export async function listenUnix(path: string, gid: number, router: Router): Promise<Server> {
  const identities = new WeakMap<Socket, Identity>()
  const identityOf = (socket: Socket): Identity => {
    let id = identities.get(socket)
    if (!id) {
      id = identify(socket)
      identities.set(socket, id)
    }
    return id
  }
  const server = createServer((req, res) => router.handle(req, res, identityOf(req.socket)))
  server.on('upgrade', (req, socket, head) => router.upgrade(req, socket, head, identityOf(req.socket)))
  server.keepAliveTimeout = 30_000
  // Create the socket inaccessible to others, then open it to the group.
  const oldMask = process.umask(0o177)
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } finally {
    process.umask(oldMask)
  }
  chownSync(path, 0, gid)
  chmodSync(path, 0o660)
  return server
}
