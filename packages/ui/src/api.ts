/**
 * @module The REST client of the UI: same-origin fetch (the browser presents its client
 * certificate), JSON bodies only, LXD's envelopes unwrapped, operations waited for. Nothing is
 * stored: no token, no secret, no local storage.
 */

/** An error the API answered (LXD's error envelope), with its HTTP status. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'ApiFailure'
  }
}

/** LXD's operation object, as far as the UI reads it. */
export interface Operation {
  id: string
  class: string
  description: string
  status: string
  status_code: number
  err: string
  created_at: string
  updated_at: string
  resources: Record<string, string[]> | null
  metadata: Record<string, unknown> | null
  may_cancel: boolean
}

interface Envelope {
  type: 'sync' | 'async' | 'error'
  status_code?: number
  error_code?: number
  error?: string
  metadata?: unknown
  operation?: string
}

/** The project every call uses unless told otherwise (the switcher sets it from the URL). */
let currentProject = 'default'

/** Sets the project used by calls that do not name one. */
export function useProject(name: string): void {
  currentProject = name
}

/** The project in use. */
export function project(): string {
  return currentProject
}

/** Adds `?project=` to an API path (unless it has one, or `project` is null for server-wide calls). */
export function withProject(path: string, p: string | null = currentProject): string {
  if (p === null || p === 'default' || /[?&]project=/.test(path)) return path
  return `${path}${path.includes('?') ? '&' : '?'}project=${encodeURIComponent(p)}`
}

/** One API call; returns the envelope's metadata (for async: the operation). */
export async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: { project?: string | null } = {},
): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } }
  if (body !== undefined) {
    init.headers = { ...init.headers, 'Content-Type': 'application/json' }
    init.body = JSON.stringify(body)
  }
  const res = await fetch(withProject(path, opts.project === undefined ? currentProject : opts.project), init)
  const text = await res.text()
  let env: Envelope
  try {
    env = JSON.parse(text) as Envelope
  } catch {
    throw new ApiFailure(res.status, `${res.status} ${res.statusText}: ${text.slice(0, 200)}`)
  }
  if (env.type === 'error' || !res.ok)
    throw new ApiFailure(env.error_code ?? res.status, env.error ?? `${res.status} ${res.statusText}`)
  return env.metadata as T
}

/** GET shorthand. */
export const get = <T>(path: string, opts?: { project?: string | null }): Promise<T> =>
  call<T>('GET', path, undefined, opts)

/** Fetches a raw text resource (instance logs). */
export async function getText(path: string): Promise<string> {
  const res = await fetch(withProject(path), { credentials: 'same-origin' })
  if (!res.ok) throw new ApiFailure(res.status, `${res.status} ${res.statusText}`)
  return res.text()
}

/** Waits for an operation to end; throws its error when it failed. */
export async function wait(op: Operation, timeout = 120): Promise<Operation> {
  const done = await get<Operation>(`/1.0/operations/${op.id}/wait?timeout=${timeout}`, { project: null })
  if (done.status_code >= 400 || done.err) throw new ApiFailure(400, done.err || done.status)
  return done
}

/** Runs an async call and waits for its operation. */
export async function run(method: string, path: string, body?: unknown): Promise<Operation> {
  return wait(await call<Operation>(method, path, body))
}

/** A websocket URL on this origin. */
export function wsUrl(path: string): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`
}
