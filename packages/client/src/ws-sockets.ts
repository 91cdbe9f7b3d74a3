/** @module Wrapping a `ws` client socket as the Transport's EventSocket and BinarySocket (unix and TLS alike). */
import type WebSocket from 'ws'
import type { BinarySocket, EventSocket } from './transport.js'

/** Turns a connection failure of a websocket into the error the caller sees. */
export type SocketFailure = (err: Error) => Error

/** Waits for a websocket to open; an HTTP answer instead of the upgrade rejects with its error text. */
function opened(ws: WebSocket, failure: SocketFailure): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', (err) => reject(failure(err)))
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => reject(new Error(errorText(Buffer.concat(chunks).toString(), res.statusCode))))
    })
  })
}

/** Wraps a text websocket (events); messages that arrive before a handler is set are held. */
export async function eventSocket(ws: WebSocket, failure: SocketFailure): Promise<EventSocket> {
  const early: string[] = []
  let deliver: ((text: string) => void) | undefined
  ws.on('message', (data: Buffer) => (deliver ? deliver(data.toString()) : early.push(data.toString())))
  await opened(ws, failure)
  const closed = new Promise<string>((resolve) => {
    ws.once('close', (_code, reason) => resolve(reason.toString()))
    ws.on('error', (err) => resolve(err.message))
  })
  return {
    onMessage: (handler) => {
      deliver = handler
      for (const text of early.splice(0)) handler(text)
    },
    closed,
    close: () => ws.close(),
  }
}

/** Wraps a binary websocket (exec stdio and control); early frames are held until a handler is set. */
export async function binarySocket(ws: WebSocket, failure: SocketFailure): Promise<BinarySocket> {
  const early: [Buffer, boolean][] = []
  let deliver: ((data: Buffer, isBinary: boolean) => void) | undefined
  ws.on('message', (data: Buffer, isBinary: boolean) =>
    deliver ? deliver(data, isBinary) : early.push([data, isBinary]),
  )
  await opened(ws, failure)
  const closed = new Promise<void>((resolve) => {
    ws.once('close', () => resolve())
    ws.on('error', () => resolve())
  })
  return {
    onMessage: (handler) => {
      deliver = handler
      for (const [data, isBinary] of early.splice(0)) handler(data, isBinary)
    },
    send: (data, binary = true) =>
      new Promise((resolve) => {
        if (ws.readyState !== ws.OPEN) return resolve()
        ws.send(data, { binary }, () => resolve())
      }),
    closed,
    close: () => ws.close(),
  }
}

function errorText(body: string, status: number | undefined): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    if (typeof parsed.error === 'string' && parsed.error !== '') return parsed.error
  } catch {
    // not an envelope: fall through
  }
  return `Websocket upgrade failed with status ${status ?? 0}`
}
