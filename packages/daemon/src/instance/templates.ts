/**
 * @module Image templates (metadata.yaml `templates:`), applied as LXD applies them: before a
 * start, for the trigger the instance waits for (`volatile.apply_template`: create, copy,
 * rename) and for `start`. Everything an image names is read and written inside its own tree:
 * sources in the volume's templates/ without following symlinks, targets in the stopped rootfs
 * through the chroot()ing file helper, and the engine runs in a worker thread with time and
 * memory limits.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { Worker } from 'node:worker_threads'
import { ApiError, type ImageMetadataTemplate } from '@corral/api'
import * as db from '../db/instances.js'
import { parseImageMetadata } from '../image/index.js'
import type { State } from '../state.js'
import { isTrue } from '../config/validate.js'
import type { Expanded } from './expand.js'
import { pullFile, pushFile } from './lxc/files.js'
import type { TemplateContext } from './template-engine.js'
import type { RenderJob, RenderResult } from './template-worker.js'

/** The template triggers LXD knows. */
export type TemplateTrigger = 'create' | 'copy' | 'rename' | 'start'

/** Limits on what a template may cost the daemon. */
export interface RenderLimits {
  timeoutMs: number
  /** Heap of the rendering worker, in MiB. */
  heapMb: number
}

const defaultLimits: RenderLimits = { timeoutMs: 10_000, heapMb: 64 }
const maxSourceBytes = 1 << 20
const maxBatchSourceBytes = 16 << 20
const maxTemplates = 256
const maxOutputBytes = 16 << 20

const workerUrl = new URL('./template-worker.js', import.meta.url)

function invalid(message: string): ApiError {
  return new ApiError(400, message)
}

/** A path inside a tree (a rootfs, the templates directory) as an absolute one; `..` is refused. */
export function treePath(path: string, what: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.')
  if (path.includes('\0') || parts.length === 0 || parts.includes('..'))
    throw invalid(`Invalid ${what} ${JSON.stringify(path)}`)
  return `/${parts.join('/')}`
}

const workerOptions = (limits: RenderLimits) => ({
  env: {},
  stdout: true,
  stderr: true,
  resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
})

/**
 * Idle workers with the default limits. Booting one costs 25-40 ms of CPU, which every first
 * start (and ten parallel launches ten times) would otherwise pay. A worker renders one batch
 * at a time: a template that runs past the limits has its worker terminated and affects no
 * other batch. Between batches nothing of a template survives: each render gets a new
 * interpreter over a copy of its context, and the engine gives templates no object of its own
 * to change. A worker is still replaced after `maxBatches`, so that no heap lives long.
 */
const idle: Worker[] = []
const idleCount = 2
const maxBatches = 100
const batches = new WeakMap<Worker, number>()
/** The listener an idle worker has (and only it: Node's own listeners on a Worker stay). */
const idleWatch = new WeakMap<Worker, () => void>()

const isDefault = (limits: RenderLimits): boolean =>
  limits.timeoutMs === defaultLimits.timeoutMs && limits.heapMb === defaultLimits.heapMb

/** Keeps a worker idle: it neither holds the daemon's exit nor stays once it failed on its own. */
function park(worker: Worker): void {
  worker.unref()
  const drop = (): void => {
    const i = idle.indexOf(worker)
    if (i >= 0) idle.splice(i, 1)
  }
  idleWatch.set(worker, drop)
  worker.once('error', drop)
  worker.once('exit', drop)
  idle.push(worker)
}

/** Boots the idle workers (at daemon start, so that the first start finds one). */
export function prepareTemplateWorkers(): void {
  while (idle.length < idleCount) park(new Worker(workerUrl, workerOptions(defaultLimits)))
}

/** A worker for one batch: an idle one when the limits are the default ones, else a new one. */
function takeWorker(limits: RenderLimits): { worker: Worker; reused: boolean } {
  const parked = isDefault(limits) ? idle.pop() : undefined
  if (!parked) return { worker: new Worker(workerUrl, workerOptions(limits)), reused: false }
  const drop = idleWatch.get(parked)!
  parked.off('error', drop)
  parked.off('exit', drop)
  parked.ref()
  return { worker: parked, reused: true }
}

/** After a batch that ended normally: back to the idle ones, or ended. */
function release(worker: Worker, limits: RenderLimits): void {
  const used = (batches.get(worker) ?? 0) + 1
  batches.set(worker, used)
  if (isDefault(limits) && used < maxBatches && idle.length < idleCount) park(worker)
  else void worker.terminate()
}

/** Renders the jobs in a worker thread, killed when it runs past the limits. */
export function renderInWorker(jobs: RenderJob[], limits: RenderLimits = defaultLimits): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const { worker, reused } = takeWorker(limits)
    let settled = false
    const done = (fn: () => void, reusable = false): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
      if (reusable) release(worker, limits)
      else void worker.terminate()
      fn()
    }
    const timer = setTimeout(
      () => done(() => reject(invalid(`Template rendering took longer than ${limits.timeoutMs / 1000}s`))),
      limits.timeoutMs,
    )
    const onMessage = (results: RenderResult[]): void =>
      done(() => {
        const failed = results.find((r) => !r.ok)
        if (failed && !failed.ok) return reject(invalid(`Failed to render template: ${failed.error}`))
        resolve(results.map((r) => (r.ok ? r.text : '')))
      }, true)
    // An idle worker that died before its exit was seen is no failure of this batch: a new one renders it.
    const lost = (fail: () => void): void =>
      done(() => {
        if (reused) void renderInWorker(jobs, limits).then(resolve, reject)
        else fail()
      })
    const onError = (err: Error): void =>
      lost(() => reject(invalid(`Failed to render template: ${err.message}`)))
    const onExit = (code: number): void =>
      lost(() => reject(invalid(`Template rendering stopped (worker exit ${code})`)))
    worker.once('message', onMessage)
    worker.once('error', onError)
    worker.once('exit', onExit)
    worker.postMessage(jobs)
  })
}

/**
 * Reads a template source from the templates directory, a directory descriptor at a time
 * (each component opened O_DIRECTORY|O_NOFOLLOW below the one before, through its
 * /proc/self/fd link), and the file itself only when lstat says it is a regular file, opened
 * O_NOFOLLOW|O_NOCTTY and checked to be the inode lstat saw: nothing is followed through a
 * symlink and no device is opened, whatever the tree holds or becomes meanwhile. Read here
 * rather than through the file helper: no container reaches this tree (it sits beside the
 * rootfs), and the work is bounded (sources of at most 32 components, 255 bytes).
 */
function readSource(templatesDir: string, name: string): Buffer {
  const path = treePath(name, 'template file')
  const parts = path.slice(1).split('/')
  if (path.length > 255 || parts.length > 32) throw invalid(`Invalid template file ${JSON.stringify(name)}`)
  const unreadable = (why: string) => invalid(`Failed to read template file ${JSON.stringify(name)}: ${why}`)
  const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NOCTTY, O_NONBLOCK } = constants
  const fds: number[] = []
  try {
    let dir = templatesDir
    for (const part of parts.slice(0, -1)) {
      try {
        fds.push(openSync(join(dir, part), O_RDONLY | O_DIRECTORY | O_NOFOLLOW))
      } catch {
        throw unreadable('not found')
      }
      dir = `/proc/self/fd/${fds.at(-1)!}`
    }
    const file = join(dir, parts.at(-1)!)
    const seen = lstatSync(file, { throwIfNoEntry: false })
    if (!seen) throw unreadable('not found')
    if (!seen.isFile()) throw invalid(`Template file ${JSON.stringify(name)} is not a regular file`)
    if (seen.size > maxSourceBytes)
      throw invalid(`Template file ${JSON.stringify(name)} is larger than ${maxSourceBytes} bytes`)
    let fd: number
    try {
      fd = openSync(file, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK)
    } catch {
      throw unreadable('not a regular file')
    }
    fds.push(fd)
    const stat = fstatSync(fd)
    if (!stat.isFile() || stat.ino !== seen.ino || stat.dev !== seen.dev)
      throw invalid(`Template file ${JSON.stringify(name)} is not a regular file`)
    const buf = Buffer.alloc(Math.min(stat.size, maxSourceBytes))
    let read = 0
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, read)
      if (n === 0) break
      read += n
    }
    return buf.subarray(0, read)
  } finally {
    for (const fd of fds) closeSync(fd)
  }
}

/** Whether a path exists in the rootfs (any type: LXD leaves a create_only target alone whatever it is). */
async function existsInRoot(state: State, rootfs: string, path: string): Promise<boolean> {
  try {
    const pulled = await pullFile(state, { root: rootfs }, path)
    if (pulled.type === 'file') pulled.content.destroy()
    return true
  } catch (err) {
    return !(err instanceof ApiError && err.status === 404)
  }
}

/** Writes a rendered file into the rootfs (new files 0644 root, as LXD), creating missing parents 0755. */
async function writeTarget(state: State, rootfs: string, path: string, text: string): Promise<void> {
  const write = () =>
    pushFile(
      state,
      { root: rootfs },
      path,
      { type: 'file', append: false },
      Readable.from([Buffer.from(text)]),
    )
  try {
    await write()
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err
    const parts = path.split('/').slice(1, -1)
    for (let i = 1; i <= parts.length; i++) {
      const dir = `/${parts.slice(0, i).join('/')}`
      await pushFile(
        state,
        { root: rootfs },
        dir,
        { type: 'directory', mode: 0o755, append: false },
        Readable.from([]),
      )
    }
    await write()
  }
}

/** The directories of a volume the image's files live in, checked to be real directories. */
function volumeDir(volumePath: string, name: string): string {
  const dir = join(volumePath, name)
  if (!lstatSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw invalid(`The instance's ${name}/ is not a directory`)
  return dir
}

/** What LXD names the container in a template's `container` context. */
function containerContext(inst: db.InstanceRecord, expanded: Expanded): Record<string, string> {
  return {
    name: inst.name,
    type: 'container',
    architecture: inst.architecture,
    ephemeral: String(inst.ephemeral),
    privileged: String(isTrue(expanded.config['security.privileged'])),
  }
}

/** Renders and writes the templates of one trigger. */
async function applyTrigger(
  state: State,
  opts: { inst: db.InstanceRecord; expanded: Expanded; volumePath: string; limits: RenderLimits },
  trigger: TemplateTrigger,
  templates: Record<string, ImageMetadataTemplate>,
): Promise<void> {
  const wanted = Object.entries(templates).filter(([, t]) => t.when.includes(trigger))
  if (wanted.length === 0) return
  if (wanted.length > maxTemplates)
    throw invalid(`The image has more than ${maxTemplates} templates for the ${trigger} trigger`)
  const rootfs = volumeDir(opts.volumePath, 'rootfs')
  const templatesDir = volumeDir(opts.volumePath, 'templates')
  const targets: { path: string; job: RenderJob }[] = []
  let sourceBytes = 0
  for (const [target, tpl] of wanted) {
    const path = treePath(target, 'template target')
    if (tpl.create_only && (await existsInRoot(state, rootfs, path))) continue
    const ctx: TemplateContext = {
      trigger,
      path: target,
      container: containerContext(opts.inst, opts.expanded),
      config: opts.expanded.config,
      devices: opts.expanded.devices,
      properties: tpl.properties,
    }
    const source = readSource(templatesDir, tpl.template)
    sourceBytes += source.length
    // What one start holds in the daemon's heap at once (and copies to the worker) is bounded too.
    if (sourceBytes > maxBatchSourceBytes)
      throw invalid(
        `The image's templates for the ${trigger} trigger are larger than ${maxBatchSourceBytes} bytes`,
      )
    targets.push({ path, job: { source: source.toString('utf8'), ctx } })
  }
  if (targets.length === 0) return
  const texts = await renderInWorker(
    targets.map((t) => t.job),
    opts.limits,
  )
  for (const [i, { path }] of targets.entries()) {
    const text = texts[i] ?? ''
    if (Buffer.byteLength(text) > maxOutputBytes)
      throw invalid(`Template for ${JSON.stringify(path)} renders larger than ${maxOutputBytes} bytes`)
    await writeTarget(state, rootfs, path, text).catch((err: unknown) => {
      const status = err instanceof ApiError ? err.status : 500
      throw new ApiError(
        status,
        `Failed to write template target ${JSON.stringify(path)}: ${(err as Error).message}`,
      )
    })
  }
}

/**
 * Applies the instance's pending trigger (then clears `volatile.apply_template`) and the
 * `start` templates, into the stopped rootfs. A template that cannot be read, rendered or
 * written fails the start, as in LXD.
 */
export async function applyTemplates(
  state: State,
  opts: { inst: db.InstanceRecord; expanded: Expanded; volumePath: string; limits?: RenderLimits },
): Promise<void> {
  const meta = join(opts.volumePath, 'metadata.yaml')
  const stat = lstatSync(meta, { throwIfNoEntry: false })
  if (!stat) return
  if (!stat.isFile()) throw invalid("The instance's metadata.yaml is not a regular file")
  const { templates } = parseImageMetadata(readFileSync(meta, 'utf8'))
  const run = { ...opts, limits: opts.limits ?? defaultLimits }
  const pending = opts.inst.config['volatile.apply_template'] as TemplateTrigger | undefined
  if (pending) {
    await applyTrigger(state, run, pending, templates)
    db.patchUnsynced(state.db, opts.inst.id, { 'volatile.apply_template': '' })
  }
  await applyTrigger(state, run, 'start', templates)
}
