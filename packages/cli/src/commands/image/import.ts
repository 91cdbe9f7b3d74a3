/** @module `corral image import`: a unified tarball as a raw body, or metadata + rootfs as multipart, as lxc sends them. */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { ImageUpload } from '@corral/client'
import { parseKeyValues, type CommandDefinition } from '../../command.js'
import { text } from '../../render/result.js'
import { Progress } from '../../stdio.js'
import { remoteClient } from '../common.js'

/** Builds the upload lxc sends: raw for one file, multipart (`metadata`, `rootfs`) for two. */
export function buildUpload(
  meta: { name: string; data: Buffer },
  rootfs: { name: string; data: Buffer } | undefined,
  headers: Record<string, string>,
): ImageUpload {
  if (!rootfs)
    return { body: meta.data, contentType: 'application/octet-stream', length: meta.data.length, headers }
  const boundary = randomBytes(30).toString('hex')
  const part = (field: string, p: { name: string; data: Buffer }): Buffer[] => [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${p.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    p.data,
    Buffer.from('\r\n'),
  ]
  const body = Buffer.concat([
    ...part('metadata', meta),
    ...part('rootfs', rootfs),
    Buffer.from(`--${boundary}--\r\n`),
  ])
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, length: body.length, headers }
}

/** `corral image import <tarball>|<directory>|<URL> [<rootfs tarball>] [<remote>:] [key=value...]`. */
export const imageImport: CommandDefinition = {
  names: ['import'],
  usage: '<tarball>|<directory>|<URL> [<rootfs tarball>] [<remote>:] [key=value...]',
  short: 'Import images into the image store',
  args: { min: 1, max: Infinity },
  flags: [
    { long: 'alias', type: 'strings', description: 'New aliases to add to the image' },
    { long: 'public', type: 'boolean', description: 'Make image public' },
    {
      long: 'reuse',
      type: 'boolean',
      description: 'If the image alias already exists, delete and create a new one',
    },
  ],
  async run(ctx, args, flags) {
    const files: string[] = []
    const props: string[] = []
    let remoteArg: string | undefined
    for (const a of args) {
      if (a.endsWith(':') && !fs.existsSync(a)) remoteArg = a
      else if (a.includes('=') && !fs.existsSync(a)) props.push(a)
      else files.push(a)
    }
    if (files.length === 0 || files.length > 2) throw new Error('Invalid number of arguments')
    const client = await remoteClient(ctx, remoteArg)
    const metaFile = files[0]!
    const rootfsFile = files[1]
    if (fs.statSync(metaFile).isDirectory())
      throw new Error('Importing an image from a directory is not supported')
    const properties = parseKeyValues(props)
    const headers: Record<string, string> = { 'X-LXD-public': flags.public ? '1' : '0' }
    if (Object.keys(properties).length > 0)
      headers['X-LXD-properties'] = new URLSearchParams(properties).toString()
    if (!rootfsFile) headers['X-LXD-filename'] = path.basename(metaFile)
    const upload = buildUpload(
      { name: path.basename(metaFile), data: fs.readFileSync(metaFile) },
      rootfsFile ? { name: path.basename(rootfsFile), data: fs.readFileSync(rootfsFile) } : undefined,
      headers,
    )
    const progress = new Progress(ctx.stdio)
    let fingerprint: string
    try {
      fingerprint = await client.images.upload(upload, (m) =>
        progress.fromMetadata('Transferring image: ', m),
      )
    } finally {
      progress.done()
    }
    const aliases = Array.isArray(flags.alias) ? flags.alias : []
    for (const alias of aliases) {
      if (flags.reuse) await client.images.deleteAlias(alias).catch(() => undefined)
      await client.images.createAlias(alias, fingerprint)
    }
    return text(`Image imported with fingerprint: ${fingerprint}\n`)
  },
}
