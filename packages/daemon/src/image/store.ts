/** @module Where image files live: `$CORRAL_DIR/images/<fingerprint>[.rootfs]`, root-only. */
import { existsSync } from 'node:fs'
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { State } from '../state.js'

/** The image store directory (mode 0700). */
export function imagesDir(state: State): string {
  return join(state.paths.dir, 'images')
}

/** The metadata (or unified) tarball of an image. */
export function imageFile(state: State, fingerprint: string): string {
  return join(imagesDir(state), fingerprint)
}

/** The rootfs tarball of a split image. */
export function rootfsFile(state: State, fingerprint: string): string {
  return `${imageFile(state, fingerprint)}.rootfs`
}

/** True when the image was imported as metadata + rootfs. */
export function isSplit(state: State, fingerprint: string): boolean {
  return existsSync(rootfsFile(state, fingerprint))
}

/** Staging directories older than this are leftovers of a crash, removed by the next upload. */
const staleStagingMs = 24 * 3600_000

async function sweepStaging(state: State): Promise<void> {
  for (const name of await readdir(imagesDir(state))) {
    if (!name.startsWith('.staging-')) continue
    const path = join(imagesDir(state), name)
    const info = await stat(path).catch(() => undefined)
    if (info && Date.now() - info.mtimeMs > staleStagingMs) await rm(path, { recursive: true, force: true })
  }
}

/** Creates the store and a fresh staging directory for one upload inside it. */
export async function makeStaging(state: State, id: string): Promise<string> {
  await mkdir(imagesDir(state), { recursive: true, mode: 0o700 })
  await sweepStaging(state)
  const dir = join(imagesDir(state), `.staging-${id}`)
  await mkdir(dir, { mode: 0o700 })
  return dir
}

/** Removes an image's files. */
export async function removeImageFiles(state: State, fingerprint: string): Promise<void> {
  await rm(imageFile(state, fingerprint), { force: true })
  await rm(rootfsFile(state, fingerprint), { force: true })
}
