/** @module The request core: JSON in, LXD envelope out, ApiError thrown for error envelopes. */
import { ApiError, type Envelope } from '@corral/api'
import type { Transport } from './transport.js'

/** Options for one request. */
export interface RequestOptions {
  /** Sent as `If-Match`, for the compare-and-swap LXD does on PUT/PATCH. */
  etag?: string
  /** Set false for endpoints that take no `?project=` (projects themselves). */
  project?: boolean
}

/** A parsed response: the whole envelope plus the ETag header when the server sent one. */
export interface ApiResponse<T = unknown> {
  envelope: Envelope<T>
  etag: string | undefined
  /** The HTTP status code. */
  status: number
}

/** Sends requests through a transport, scoped to one project. */
export interface Requester {
  /** The project requests are scoped to (`default` when none was chosen). */
  readonly project: string
  /** Sends a request; throws ApiError for an error envelope. */
  send<T>(method: string, path: string, body?: unknown, opts?: RequestOptions): Promise<ApiResponse<T>>
  /** Like send, returning only `metadata` and the ETag. */
  call<T>(
    method: string,
    path: string,
    body?: unknown,
    opts?: RequestOptions,
  ): Promise<{ metadata: T; etag?: string }>
  /** Opens a websocket on a path, scoped to the project like other requests. */
  transport: Transport
  /** Adds `project=NAME` to a path when a non-default project is in use. */
  scoped(path: string): string
}

/** Receives debug messages with logfmt-style fields (the CLI's `--debug`). */
export type DebugLog = (message: string, fields: Record<string, string>) => void

/** Builds a requester for a transport and a project. */
export function createRequester(transport: Transport, project = 'default', debug?: DebugLog): Requester {
  const scoped = (path: string): string => withProject(path, project)
  const send = async <T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}) => {
    const target = opts.project === false ? path : scoped(path)
    const headers: Record<string, string> = {}
    if (opts.etag) headers['If-Match'] = opts.etag
    debug?.('Sending request', { etag: opts.etag ?? '', method, url: `${transport.base}${target}` })
    const res = await transport.request({
      method,
      path: target,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    debug?.('Got response', { status: String(res.status), body: res.body.trim() })
    const envelope = parseEnvelope<T>(res.body, res.status)
    const etag = res.headers['etag']
    return { envelope, etag: typeof etag === 'string' ? etag : undefined, status: res.status }
  }
  return {
    project,
    transport,
    scoped,
    send,
    async call<T>(method: string, path: string, body?: unknown, opts?: RequestOptions) {
      const res = await send<T>(method, path, body, opts)
      return { metadata: res.envelope.metadata as T, etag: res.etag }
    },
  }
}

/** Appends `project=NAME` unless the project is `default` or the path already names one. */
export function withProject(path: string, project: string): string {
  if (project === '' || project === 'default' || /[?&]project=/.test(path)) return path
  return `${path}${path.includes('?') ? '&' : '?'}project=${encodeURIComponent(project)}`
}

/** Parses a response body as an LXD envelope, throwing ApiError for `type: "error"`. */
export function parseEnvelope<T>(body: string, status: number): Envelope<T> {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    const text = body.trim()
    throw new ApiError(status >= 400 ? status : 500, text || `Unexpected response status ${status}`)
  }
  if (typeof parsed !== 'object' || parsed === null || !('type' in parsed))
    throw new ApiError(status >= 400 ? status : 500, 'Invalid response from server')
  const envelope = parsed as Envelope<T>
  if (envelope.type === 'error') throw new ApiError(envelope.error_code || status, envelope.error)
  return envelope
}
