/**
 * @module Image templates (metadata.yaml `templates:`), applied as LXD applies them: before a
 * start, for the trigger the instance waits for (`volatile.apply_template`: create, copy,
 * rename) and for `start`. Everything an image names is read and written inside its own tree:
 * sources in the volume's templates/, targets in the stopped rootfs, both through the
 * chroot()ing file helper, and the engine runs in a worker thread with time and memory limits.
 */
import { lstatSync, readFileSync } from 'node:fs'
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

/** Renders the jobs in a worker thread, killed when it runs past the limits. */
export function renderInWorker(jobs: RenderJob[], limits: RenderLimits = defaultLimits): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl, {
      workerData: jobs,
      env: {},
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    })
    let settled = false
    const done = (fn: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void worker.terminate()
      fn()
    }
    const timer = setTimeout(
      () => done(() => reject(invalid(`Template rendering took longer than ${limits.timeoutMs / 1000}s`))),
      limits.timeoutMs,
    )
    worker.once('message', (results: RenderResult[]) =>
      done(() => {
        const failed = results.find((r) => !r.ok)
        if (failed && !failed.ok) return reject(invalid(`Failed to render template: ${failed.error}`))
        resolve(results.map((r) => (r.ok ? r.text : '')))
      }),
    )
    worker.once('error', (err) => done(() => reject(invalid(`Failed to render template: ${err.message}`))))
    worker.once('exit', (code) =>
      done(() => reject(invalid(`Template rendering stopped (worker exit ${code})`))),
    )
  })
}

/** Reads a template source from the templates directory (a regular file, never through a symlink). */
async function readSource(state: State, templatesDir: string, name: string): Promise<string> {
  const path = treePath(name, 'template file')
  const pulled = await pullFile(state, { root: templatesDir }, path).catch((err: unknown) => {
    throw invalid(`Failed to read template file ${JSON.stringify(name)}: ${(err as Error).message}`)
  })
  if (pulled.type !== 'file') throw invalid(`Template file ${JSON.stringify(name)} is not a regular file`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of pulled.content as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxSourceBytes) {
      pulled.content.destroy()
      throw invalid(`Template file ${JSON.stringify(name)} is larger than ${maxSourceBytes} bytes`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
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
  const rootfs = volumeDir(opts.volumePath, 'rootfs')
  const templatesDir = volumeDir(opts.volumePath, 'templates')
  const targets: { path: string; job: RenderJob }[] = []
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
    targets.push({ path, job: { source: await readSource(state, templatesDir, tpl.template), ctx } })
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
    db.patchInstanceConfig(state.db, opts.inst.id, { 'volatile.apply_template': '' })
  }
  await applyTrigger(state, run, 'start', templates)
}
