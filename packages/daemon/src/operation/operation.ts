/** @module Background operations: ids, status, wait, cancel, and their events. */
import { randomUUID } from 'node:crypto'
import type { WebSocket } from 'ws'
import {
  StatusCode,
  badRequest,
  notFound,
  statusText,
  type Operation,
  type OperationClass,
  type Requestor,
} from '@corral/api'
import type { EventHub } from '../events/hub.js'
import { sameSecret } from '../util/secret.js'

/** What an operation's work receives: its own handle to report progress and observe cancel. */
export interface OperationContext {
  /** Merges keys into the operation's metadata (progress) and announces the update. */
  setMetadata(patch: Record<string, unknown>): void
  /** Aborted when the operation is cancelled. */
  signal: AbortSignal
}

/** Options of createOperation. */
export interface CreateOperationOptions {
  project: string
  class: OperationClass
  description: string
  resources?: Record<string, string[]>
  metadata?: Record<string, unknown>
  /** Who asked; kept for the lifecycle events the work publishes, not served on the operation. */
  requestor: Requestor
  /** The work; its resolved value is merged into metadata. */
  run: (ctx: OperationContext) => Promise<Record<string, unknown> | void>
  /** Present when the operation may be cancelled. */
  cancel?: () => Promise<void> | void
  /** Websocket operations: receives each socket connected with a secret of `metadata.fds`. */
  connect?: (fd: string, ws: WebSocket) => void
  /** The websocket secrets by name when they are not `metadata.fds` (migration keeps them at the top of metadata). */
  secrets?: Record<string, string>
}

/** How long a finished operation stays listed, as LXD keeps them. */
const keepFinishedMs = 5_000

/** One live operation. */
export class LiveOperation {
  readonly id = randomUUID()
  readonly project: string
  private data: Operation
  private readonly waiters = new Set<() => void>()
  private readonly abort = new AbortController()

  constructor(
    private readonly opts: CreateOperationOptions,
    private readonly hub: EventHub,
  ) {
    const now = new Date().toISOString()
    this.project = opts.project
    this.data = {
      id: this.id,
      class: opts.class,
      description: opts.description,
      created_at: now,
      updated_at: now,
      status: statusText(StatusCode.Pending),
      status_code: StatusCode.Pending,
      resources: opts.resources ?? null,
      metadata: opts.metadata ?? null,
      may_cancel: opts.cancel !== undefined,
      err: '',
      location: 'none',
    }
  }

  /** The operation as the API renders it. */
  render(): Operation {
    return structuredClone(this.data)
  }

  /** True once the operation succeeded, failed or was cancelled. */
  get done(): boolean {
    return this.data.status_code >= 200
  }

  /** The status code now. */
  get statusCode(): number {
    return this.data.status_code
  }

  /** Starts the work; called once by the registry. */
  start(onFinished: () => void): void {
    this.update({ status_code: StatusCode.Running })
    const ctx: OperationContext = {
      setMetadata: (patch) => this.update({ metadata: { ...(this.data.metadata ?? {}), ...patch } }),
      signal: this.abort.signal,
    }
    this.opts
      .run(ctx)
      .then((result) => {
        if (this.done) return
        if (this.abort.signal.aborted) {
          // Work that returns normally once cancelled was still cancelled.
          this.update({ status_code: StatusCode.Cancelled, err: 'Operation cancelled' })
          return
        }
        const metadata = result ? { ...(this.data.metadata ?? {}), ...result } : this.data.metadata
        this.update({ status_code: StatusCode.Success, metadata })
      })
      .catch((err: unknown) => {
        if (this.done) return
        const cancelled = this.abort.signal.aborted
        this.update({
          status_code: cancelled ? StatusCode.Cancelled : StatusCode.Failure,
          err: cancelled ? 'Operation cancelled' : err instanceof Error ? err.message : String(err),
        })
      })
      .finally(onFinished)
  }

  /** The `metadata.fds` key whose secret this is, for a websocket operation; undefined otherwise. */
  socketFd(secret: string): string | undefined {
    const fds = (this.opts.secrets ?? this.data.metadata?.fds ?? {}) as Record<string, unknown>
    if (!this.opts.connect || this.done) return undefined
    return Object.keys(fds).find((fd) => sameSecret(String(fds[fd]), secret))
  }

  /** True when `secret` is this operation's `metadata.secret` (token operations). */
  secretIs(secret: string): boolean {
    const own = this.data.metadata?.secret
    return typeof own === 'string' && sameSecret(own, secret)
  }

  /** Hands an upgraded websocket to the operation's connect hook. */
  connect(fd: string, ws: WebSocket): void {
    this.opts.connect?.(fd, ws)
  }

  /** Cancels the operation, or throws 400 when it cannot be cancelled. */
  async cancel(): Promise<void> {
    if (!this.opts.cancel) throw badRequest("This operation can't be cancelled")
    if (this.done) return
    this.update({ status_code: StatusCode.Cancelling })
    this.abort.abort()
    await this.opts.cancel()
    if (!this.done) this.update({ status_code: StatusCode.Cancelled, err: 'Operation cancelled' })
  }

  /** Resolves when the operation is done or the timeout (seconds; negative = forever) passes. */
  wait(timeoutSeconds: number): Promise<void> {
    if (this.done) return Promise.resolve()
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer)
        this.waiters.delete(finish)
        resolve()
      }
      const timer = timeoutSeconds >= 0 ? setTimeout(finish, timeoutSeconds * 1000) : undefined
      this.waiters.add(finish)
    })
  }

  private update(patch: Partial<Operation>): void {
    const status_code = patch.status_code ?? this.data.status_code
    this.data = {
      ...this.data,
      ...patch,
      status_code,
      status: statusText(status_code),
      updated_at: new Date().toISOString(),
    }
    this.data.may_cancel = this.opts.cancel !== undefined && !this.done
    this.hub.publish('operation', this.render(), this.project)
    if (this.done) for (const w of [...this.waiters]) w()
  }
}

/** The daemon's operations, live and recently finished. */
export class OperationRegistry {
  private readonly ops = new Map<string, LiveOperation>()

  constructor(private readonly hub: EventHub) {}

  /** Creates and starts an operation. */
  create(opts: CreateOperationOptions): LiveOperation {
    const op = new LiveOperation(opts, this.hub)
    this.ops.set(op.id, op)
    op.start(() => {
      setTimeout(() => this.ops.delete(op.id), keepFinishedMs).unref()
    })
    return op
  }

  /** Finds an operation or throws 404. */
  get(id: string): LiveOperation {
    const op = this.ops.get(id)
    if (!op) throw notFound('Operation not found')
    return op
  }

  /** Every operation, optionally only one project's. */
  list(project?: string): LiveOperation[] {
    return [...this.ops.values()].filter((op) => project === undefined || op.project === project)
  }

  /** Resolves when every operation is done or the timeout passes (for shutdown). */
  async drain(timeoutSeconds: number): Promise<void> {
    await Promise.all([...this.ops.values()].map((op) => op.wait(timeoutSeconds)))
  }
}
