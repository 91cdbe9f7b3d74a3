/** @module `corral image info|show|edit|delete|export`, and `image alias create|delete|rename`. */
import fs from 'node:fs'
import path from 'node:path'
import type { Image } from '@corral/api'
import type { Client } from '@corral/client'
import type { CommandDefinition } from '../../command.js'
import type { Context } from '../../context.js'
import { none, text, yaml } from '../../render/result.js'
import { imagePutShape } from '../../render/instance-shapes.js'
import { localTime, timeIsSet } from '../../render/units.js'
import { toYaml } from '../../render/yaml.js'
import { splitRemote } from '../../remotes/config.js'
import { editFlow, parseYamlStrings, stringMap } from '../common.js'
import { refCommand } from '../ref-command.js'

/** Resolves `[<remote>:]<image>` (an alias, else a fingerprint prefix) to a client and a full fingerprint. */
export async function imageRef(ctx: Context, arg: string): Promise<{ client: Client; fingerprint: string }> {
  const { remote, name } = splitRemote(await ctx.config(), arg)
  const client = await ctx.client(remote)
  const alias = await client.images.alias(name).catch(() => undefined)
  if (alias) return { client, fingerprint: alias.target }
  const matches = (await client.images.list()).filter((i) => i.fingerprint.startsWith(name))
  if (matches.length === 0 || name === '') throw new Error('Image not found')
  if (matches.length > 1) throw new Error('More than one image matches')
  return { client, fingerprint: matches[0]!.fingerprint }
}

/** Resolves `[<remote>:]<image>` and GETs it. */
async function loadImage(
  ctx: Context,
  arg: string,
): Promise<{ client: Client; fingerprint: string; image: Image; etag?: string }> {
  const { client, fingerprint } = await imageRef(ctx, arg)
  return { client, fingerprint, ...(await client.images.get(fingerprint)) }
}

/** Resolves `[<remote>:]<alias>` to the remote's client, the remote and the alias name. */
async function aliasRef(
  ctx: Context,
  arg: string,
): Promise<{ client: Client; remote: string; name: string }> {
  const { remote, name } = splitRemote(await ctx.config(), arg)
  return { client: await ctx.client(remote), remote, name }
}

/** The `image info` text as lxc 5.0.2 prints it. */
export function imageInfoText(img: Image): string {
  const when = (t: string | undefined, none: string): string => (timeIsSet(t) ? localTime(t) : none)
  let out = `Fingerprint: ${img.fingerprint}\nSize: ${(img.size / 1024 / 1024).toFixed(2)}MB\n`
  out += `Architecture: ${img.architecture}\nType: ${img.type || 'container'}\nPublic: ${img.public ? 'yes' : 'no'}\n`
  out += `Timestamps:\n`
  if (timeIsSet(img.created_at)) out += `    Created: ${localTime(img.created_at)}\n`
  out += `    Uploaded: ${localTime(img.uploaded_at)}\n`
  out += `    Expires: ${when(img.expires_at, 'never')}\n`
  out += `    Last used: ${when(img.last_used_at, 'never')}\n`
  out += 'Properties:\n'
  for (const k of Object.keys(img.properties ?? {}).sort()) out += `    ${k}: ${img.properties[k]!}\n`
  out += 'Aliases:\n'
  for (const a of img.aliases ?? [])
    out += a.description ? `    - ${a.name} (${a.description})\n` : `    - ${a.name}\n`
  out += `Cached: ${img.cached ? 'yes' : 'no'}\nAuto update: ${img.auto_update ? 'enabled' : 'disabled'}\n`
  if (img.update_source) {
    const s = img.update_source
    out += `Source:\n    Server: ${s.server}\n    Protocol: ${s.protocol}\n    Alias: ${s.alias}\n`
  }
  out +=
    (img.profiles ?? []).length === 0
      ? 'Profiles: []\n'
      : `Profiles:\n${img.profiles.map((p) => `    - ${p}\n`).join('')}`
  return out
}

/** `corral image info [<remote>:]<image>`. */
export const imageInfo: CommandDefinition = {
  names: ['info'],
  usage: '[<remote>:]<image>',
  short: 'Show useful information about images',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    return text(imageInfoText((await loadImage(ctx, args[0]!)).image))
  },
}

/** `corral image show [<remote>:]<image>`. */
export const imageShow: CommandDefinition = {
  names: ['show'],
  usage: '[<remote>:]<image>',
  short: 'Show image properties',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    return yaml(imagePutShape((await loadImage(ctx, args[0]!)).image))
  },
}

/** `corral image edit [<remote>:]<image>`: the writable properties as YAML. */
export const imageEdit: CommandDefinition = {
  names: ['edit'],
  usage: '[<remote>:]<image>',
  short: 'Edit image properties',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { client, fingerprint, image, etag } = await loadImage(ctx, args[0]!)
    const apply = async (edited: string): Promise<void> => {
      const doc = await parseYamlStrings(edited)
      await client.images.put(
        fingerprint,
        {
          auto_update: doc.auto_update === 'true',
          properties: stringMap(doc.properties),
          public: doc.public === 'true',
          expires_at: typeof doc.expires_at === 'string' ? doc.expires_at : image.expires_at,
          profiles: Array.isArray(doc.profiles)
            ? doc.profiles.filter((p): p is string => typeof p === 'string')
            : [],
        },
        etag,
      )
    }
    const current = toYaml(imagePutShape(image))
    await editFlow(ctx, { header: '', current, apply })
    return none()
  },
}

/** `corral image delete [<remote>:]<image>...`. */
export const imageDelete: CommandDefinition = {
  names: ['delete', 'rm'],
  usage: '[<remote>:]<image> [[<remote>:]<image>...]',
  short: 'Delete images',
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    for (const arg of args) {
      const { client, fingerprint } = await imageRef(ctx, arg)
      await client.images.delete(fingerprint)
    }
    return none()
  },
}

function filenameOf(disposition: string, fallback: string): string {
  const m = /filename=("?)([^";]+)\1/.exec(disposition)
  return m ? path.basename(m[2]!) : fallback
}

/** Splits a multipart export into its parts (name, filename, data). */
function multipartParts(body: Buffer, boundary: string): { filename: string; data: Buffer }[] {
  const sep = Buffer.from(`--${boundary}`)
  const out: { filename: string; data: Buffer }[] = []
  let at = body.indexOf(sep)
  while (at >= 0) {
    const next = body.indexOf(sep, at + sep.length)
    if (next < 0) break
    const chunk = body.subarray(at + sep.length + 2, next - 2)
    const headEnd = chunk.indexOf('\r\n\r\n')
    const head = chunk.subarray(0, headEnd).toString()
    out.push({ filename: filenameOf(head, 'part'), data: chunk.subarray(headEnd + 4) })
    at = next
  }
  return out
}

/** `corral image export [<remote>:]<image> [<target>]`. */
export const imageExport: CommandDefinition = {
  names: ['export'],
  usage: '[<remote>:]<image> [<target>]',
  short: 'Export and download images',
  args: { min: 1, max: 2 },
  async run(ctx, args) {
    const { client, fingerprint } = await imageRef(ctx, args[0]!)
    const res = await client.images.export(fingerprint)
    const target = args[1] ?? '.'
    const isDir = fs.existsSync(target) && fs.statSync(target).isDirectory()
    const boundary = /boundary=([^;]+)/.exec(res.contentType)?.[1]
    if (boundary) {
      const parts = multipartParts(res.body, boundary)
      const dir = isDir ? target : path.dirname(target)
      for (const p of parts) {
        const name = isDir
          ? p.filename
          : p.filename.startsWith('meta-')
            ? `meta-${path.basename(target)}`
            : path.basename(target)
        fs.writeFileSync(path.join(dir, name), p.data)
      }
    } else {
      const name = filenameOf(res.disposition, `${fingerprint}.tar.xz`)
      fs.writeFileSync(isDir ? path.join(target, name) : target, res.body)
    }
    return text('Image exported successfully!\n')
  },
}

/** `corral image alias create [<remote>:]<alias> <fingerprint>`. */
export const imageAliasCreate: CommandDefinition = {
  names: ['create'],
  usage: '[<remote>:]<alias> <fingerprint>',
  short: 'Create aliases for existing images',
  args: { min: 2, max: 2 },
  flags: [{ long: 'description', type: 'string', description: 'Alias description' }],
  async run(ctx, args, flags) {
    const { client, remote, name } = await aliasRef(ctx, args[0]!)
    const { fingerprint } = await imageRef(ctx, `${remote}:${args[1]!}`)
    await client.images.createAlias(
      name,
      fingerprint,
      typeof flags.description === 'string' ? flags.description : '',
    )
    return none()
  },
}

/** Commands on one alias: resolves `[<remote>:]<alias>` before `run`. */
const aliasCommand = refCommand(aliasRef)

/** `corral image alias delete [<remote>:]<alias>`. */
export const imageAliasDelete: CommandDefinition = aliasCommand({
  names: ['delete', 'rm'],
  usage: '[<remote>:]<alias>',
  short: 'Delete image aliases',
  args: { min: 1, max: 1 },
  async run(client, name) {
    await client.images.deleteAlias(name)
    return none()
  },
})

/** `corral image alias rename [<remote>:]<alias> <new-name>`. */
export const imageAliasRename: CommandDefinition = aliasCommand({
  names: ['rename', 'mv'],
  usage: '[<remote>:]<alias> <new-name>',
  short: 'Rename aliases',
  args: { min: 2, max: 2 },
  async run(client, name, args) {
    await client.images.renameAlias(name, args[1]!)
    return none()
  },
})
