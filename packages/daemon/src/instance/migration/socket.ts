/**
 * @module One migration websocket as LXD frames it: binary messages carry data, an empty text
 * message ends one stream (a "barrier"), so successive rsync runs share one socket.
 */
import type { RawData, WebSocket } from 'ws'

/** Messages held before the reader takes them; past this the socket stops reading (backpressure). */
const highWater = 64

interface Frame {
  data: Buffer
  binary: boolean
}

const toBuffer = (data: RawData): Buffer =>
  Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)

/** A migration channel (control or fs) over a connected websocket. */
export class MigrationSocket {
  private readonly frames: Frame[] = []
  private waiter?: () => void
  private closedWith?: Error

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, binary) => {
      this.frames.push({ data: toBuffer(data), binary })
      if (this.frames.length >= highWater) ws.pause()
      this.wake()
    })
    ws.on('close', () => this.end(new Error('Migration connection closed')))
    ws.on('error', (err) => this.end(err))
  }

  private end(err: Error): void {
    this.closedWith ??= err
    this.wake()
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = undefined
    w?.()
  }

  /** The next message; rejects once the socket is closed and nothing is left. */
  async next(): Promise<Frame> {
    for (;;) {
      const frame = this.frames.shift()
      if (frame) {
        if (this.frames.length < highWater / 2 && this.ws.isPaused) this.ws.resume()
        return frame
      }
      if (this.closedWith) throw this.closedWith
      await new Promise<void>((resolve) => (this.waiter = resolve))
    }
  }

  /** The next binary message (a protobuf message on the control channel), within `timeoutMs` when given. */
  async nextBinary(timeoutMs?: number): Promise<Buffer> {
    let timer: NodeJS.Timeout | undefined
    const frame = await (timeoutMs === undefined
      ? this.next()
      : Promise.race([
          this.next(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              this.close()
              reject(new Error('Timed out waiting for the migration peer'))
            }, timeoutMs)
          }),
        ]).finally(() => clearTimeout(timer)))
    if (!frame.binary) throw new Error('Only binary messages allowed on the migration control channel')
    return frame.data
  }

  /** Sends one message, resolving once it is handed to the socket. */
  send(data: Buffer | string, binary = typeof data !== 'string'): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== this.ws.OPEN) return reject(this.closedWith ?? new Error('Not connected'))
      this.ws.send(data, { binary }, (err) => (err ? reject(err) : resolve()))
    })
  }

  /** Ends the current outgoing stream with LXD's barrier. */
  barrier(): Promise<void> {
    return this.send('', false)
  }

  /** Calls `onData` for each binary message of one incoming stream, until its barrier (or a close frame). */
  async readStream(onData: (chunk: Buffer) => Promise<void> | void): Promise<void> {
    for (;;) {
      let frame: Frame
      try {
        frame = await this.next()
      } catch (err) {
        // A peer that closes instead of sending a barrier ends the stream, as Go's reader treats it.
        if (this.ws.readyState === this.ws.CLOSED || this.ws.readyState === this.ws.CLOSING) return
        throw err
      }
      if (!frame.binary) return
      await onData(frame.data)
    }
  }

  /** True once the socket is closed. */
  get closed(): boolean {
    return this.closedWith !== undefined
  }

  /** Closes the socket (normal closure). */
  close(): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(1000)
    this.end(new Error('Migration connection closed'))
  }
}
