/** @module The Transport seam: how a request reaches a server (unix socket or TLS). */

/** One HTTP request as the client sends it. */
export interface TransportRequest {
  method: string
  /** Path with query string, starting with `/`. */
  path: string
  /** Already-serialised JSON body, if any. */
  body?: string
  headers?: Record<string, string>
}

/** One HTTP response as the transport received it. */
export interface TransportResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** Something a websocket client can read messages from and close. */
export interface EventSocket {
  /** Registers a handler for each text message. */
  onMessage(handler: (text: string) => void): void
  /** Resolves when the socket closes, with the close reason (empty on a clean close). */
  closed: Promise<string>
  /** Closes the socket. */
  close(): void
}

/** A request whose body is bytes or a stream (file push, image upload). */
export interface RawRequest {
  method: string
  path: string
  headers?: Record<string, string>
  body?: Buffer | NodeJS.ReadableStream
}

/** A response read as bytes (file pull, image export). */
export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** A websocket carrying binary and text frames (exec's stdio and control sockets). */
export interface BinarySocket {
  /** Registers a handler for each frame; earlier frames are held until then. */
  onMessage(handler: (data: Buffer, isBinary: boolean) => void): void
  /** Sends a frame (binary unless `binary` is false); resolves once written. */
  send(data: Buffer | string, binary?: boolean): Promise<void>
  /** Resolves when the socket closes. */
  closed: Promise<void>
  /** Closes the socket. */
  close(): void
}

/** A way to reach one server: `unixTransport` and `tlsTransport` build one. */
export interface Transport {
  /** A human description of the endpoint used in error messages (`http://unix.socket`). */
  readonly base: string
  /** Sends one request and reads the whole response. */
  request(req: TransportRequest): Promise<TransportResponse>
  /** Opens a websocket on a path (with its query string). */
  websocket(path: string): Promise<EventSocket>
  /** Sends a request with a byte or stream body and reads the response as bytes. */
  raw(req: RawRequest): Promise<RawResponse>
  /** Opens a websocket for binary frames. */
  binarySocket(path: string): Promise<BinarySocket>
}
