/** @module Waiting for a websocket operation's client to connect its sockets, with LXD's timeout and message. */

/** How long the client has to connect every required websocket. */
const connectTimeoutMs = 30_000

/** Resolves once `connected` does; rejects with LXD's message if that takes longer than the connect timeout. */
export async function awaitWebsockets(connected: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(
      () => reject(new Error('Timed out waiting for websockets to connect')),
      connectTimeoutMs,
    )
  })
  try {
    await Promise.race([connected, timeout])
  } finally {
    clearTimeout(timer)
  }
}
