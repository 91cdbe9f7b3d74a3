/** @module Client-side errors: failures to reach the server, worded as lxc words them. */

const reasons: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ECONNRESET: 'connection reset by peer',
  ENOTSOCK: 'socket operation on non-socket',
}

/** A background operation that ended in failure (its `err`); the request itself was accepted. */
export class OperationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OperationError'
  }
}

/** What was being attempted when the connection failed. */
export interface ConnectionAttempt {
  method: string
  path: string
  socketPath: string
}

/** An error raised when the server cannot be reached at all (no envelope was received). */
export class ConnectionError extends Error {
  /** The system error code (`ENOENT`, `ECONNREFUSED`, ...), when known. */
  readonly code: string | undefined

  constructor(message: string, code: string | undefined, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ConnectionError'
    this.code = code
  }
}

/** Wraps a socket error as `Get "http://unix.socket/1.0": dial unix PATH: connect: REASON`. */
export function connectionError(err: Error, attempt: ConnectionAttempt): ConnectionError {
  const code = (err as NodeJS.ErrnoException).code
  const reason = (code && reasons[code]) ?? err.message
  const verb = attempt.method.charAt(0) + attempt.method.slice(1).toLowerCase()
  const message = `${verb} "http://unix.socket${attempt.path}": dial unix ${attempt.socketPath}: connect: ${reason}`
  return new ConnectionError(message, code, { cause: err })
}

/** What was being attempted over TCP when the connection failed. */
export interface TcpAttempt {
  method: string
  /** The whole URL (`https://127.0.0.1:8443/1.0`). */
  url: string
  /** `host:port` as dialled (IPv6 in brackets). */
  address: string
}

/** Wraps a TCP/TLS error as `Get "https://H:P/1.0": dial tcp H:P: connect: REASON` (other TLS errors keep their text). */
export function tcpConnectionError(err: Error, attempt: TcpAttempt): ConnectionError {
  const code = (err as NodeJS.ErrnoException).code
  const verb = attempt.method.charAt(0) + attempt.method.slice(1).toLowerCase()
  const reason = code ? reasons[code] : undefined
  const message = reason
    ? `${verb} "${attempt.url}": dial tcp ${attempt.address}: connect: ${reason}`
    : `${verb} "${attempt.url}": ${err.message}`
  return new ConnectionError(message, code, { cause: err })
}
