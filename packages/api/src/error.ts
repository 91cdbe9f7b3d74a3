/** @module The one error type with a wire meaning, and helpers to raise and classify it. */

/** An error that carries the HTTP status LXD would answer with; thrown from any layer. */
export class ApiError extends Error {
  /** HTTP status code (4xx/5xx) rendered into the error envelope's `error_code`. */
  readonly status: number

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ApiError'
    this.status = status
  }
}

/** Finds the status of the first ApiError in an error's cause chain, or undefined. */
export function statusOf(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
    if (e instanceof ApiError) return e.status
  }
  return undefined
}

/** Wraps an error with context, keeping the inner status reachable through `cause`. */
export function wrap(err: unknown, message: string): Error {
  const inner = err instanceof Error ? err.message : String(err)
  return new Error(`${message}: ${inner}`, { cause: err })
}

/** 400 Bad Request. */
export const badRequest = (message: string): ApiError => new ApiError(400, message)
/** 403 Forbidden. */
export const forbidden = (message = 'not authorized'): ApiError => new ApiError(403, message)
/** 404 Not Found. */
export const notFound = (message = 'not found'): ApiError => new ApiError(404, message)
/** 405 Method Not Allowed. */
export const notAllowed = (message = 'method not allowed'): ApiError => new ApiError(405, message)
/** 409 Conflict. */
export const conflict = (message: string): ApiError => new ApiError(409, message)
/** 412 Precondition Failed (ETag mismatch). */
export const preconditionFailed = (message = "ETag doesn't match"): ApiError => new ApiError(412, message)
/** 413 Request Entity Too Large. */
export const tooLarge = (message = 'Request body too large'): ApiError => new ApiError(413, message)
/** 503 Service Unavailable. */
export const unavailable = (message: string): ApiError => new ApiError(503, message)
