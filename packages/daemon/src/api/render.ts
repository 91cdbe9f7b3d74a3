/** @module Renders handler results and thrown errors into LXD's envelopes, in one place. */
import type { ServerResponse } from 'node:http'
import { asyncEnvelope, errorEnvelope, statusOf, syncEnvelope } from '@corral/api'
import type { ApiResponse } from './response.js'

/** Writes a handler's result. */
export function renderResponse(res: ServerResponse, result: ApiResponse): void {
  if (result.kind === 'async') {
    res.setHeader('Location', result.location)
    send(res, 202, asyncEnvelope(result.location, result.operation.render()))
    return
  }
  if (result.kind === 'raw') {
    res.statusCode = result.code
    for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v)
    if (Buffer.isBuffer(result.body)) res.end(result.body)
    else result.body.on('error', () => res.destroy()).pipe(res)
    return
  }
  if (result.etag) res.setHeader('ETag', `"${result.etag}"`)
  if (result.location) res.setHeader('Location', result.location)
  send(res, result.code, syncEnvelope(result.metadata))
}

/** The HTTP status and message an error maps to (ApiError, then errno, else 500). */
export function classifyError(err: unknown): { status: number; message: string } {
  const message = err instanceof Error ? err.message : String(err)
  const status = statusOf(err)
  if (status !== undefined) return { status, message }
  const code = (err as { code?: unknown } | null)?.code
  if (code === 'ENOENT') return { status: 404, message }
  if (code === 'EACCES' || code === 'EPERM') return { status: 403, message }
  if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) return { status: 409, message }
  return { status: 500, message }
}

/** Writes an error envelope. */
export function renderError(res: ServerResponse, err: unknown): void {
  const { status, message } = classifyError(err)
  send(res, status, errorEnvelope(status, message))
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end()
    return
  }
  const text = JSON.stringify(body)
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
}
