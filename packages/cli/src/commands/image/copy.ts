/** @module `corral image copy [<remote>:]<image> <remote>:`: the target server pulls the image over TLS. */
import type { Client } from '@corral/client'
import type { CommandDefinition } from '../../command.js'
import { none, text } from '../../render/result.js'
import { splitRemote } from '../../remotes/config.js'
import { progressOf } from '../instance/common.js'
import { pullSource } from './remote-source.js'

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [])

/** Points each alias at `fingerprint`, replacing existing aliases of that name (lxc's ensureImageAliases). */
async function ensureAliases(client: Client, names: string[], fingerprint: string): Promise<void> {
  if (names.length === 0) return
  const existing = new Set((await client.images.aliases()).map((a) => a.name))
  for (const name of [...names].sort()) {
    if (!existing.has(name)) continue
    await client.images.deleteAlias(name).catch((err: Error) => {
      throw new Error(`Failed to remove alias ${name}: ${err.message}`)
    })
  }
  for (const name of names)
    await client.images.createAlias(name, fingerprint).catch((err: Error) => {
      throw new Error(`Failed to create alias ${name}: ${err.message}`)
    })
}

/** `corral image copy|cp [<remote>:]<image> <remote>:`. */
export const imageCopy: CommandDefinition = {
  names: ['copy', 'cp'],
  usage: '[<remote>:]<image> <remote>:',
  short: 'Copy images between servers',
  long: 'Copy images between servers\n\nThe target server pulls the image from the source over TLS, pinned to the\ncertificate this client trusts for the source. A private image is fetched\nwith a single-use image secret.\n\nThe auto-update flag instructs the server to keep this image up to date.\nIt requires the source to be an alias and for it to be public.',
  args: { min: 2, max: 2 },
  flags: [
    { long: 'alias', type: 'strings', description: 'New aliases to add to the image' },
    { long: 'auto-update', type: 'boolean', description: 'Keep the image up to date after initial copy' },
    { long: 'copy-aliases', type: 'boolean', description: 'Copy aliases from source' },
    {
      long: 'mode',
      type: 'string',
      default: 'pull',
      description: 'Transfer mode. One of pull (default), push or relay',
    },
    { long: 'public', type: 'boolean', description: 'Make image public' },
    { long: 'target-project', type: 'string', description: 'Copy to a project different from the source' },
    { long: 'vm', type: 'boolean', description: 'Copy virtual machine images' },
  ],
  async run(ctx, args, flags) {
    const mode = typeof flags.mode === 'string' ? flags.mode : 'pull'
    if (mode !== 'pull' && flags['auto-update']) throw new Error('Auto update is only available in pull mode')
    if (mode !== 'pull') throw new Error(`Transfer mode "${mode}" is not supported (only pull)`)
    if (flags.vm) throw new Error('Virtual machine images are not supported')
    const config = await ctx.config()
    const src = splitRemote(config, args[0]!)
    const dst = splitRemote(config, args[1]!.includes(':') ? args[1]! : `${args[1]!}:`)
    if (dst.name !== '') throw new Error("Can't provide a name for the target image")
    if (src.remote === dst.remote) throw new Error('The source and target servers must be different')
    const source = await ctx.client(src.remote)
    let target = await ctx.client(dst.remote)
    if (typeof flags['target-project'] === 'string') target = target.withProject(flags['target-project'])
    const pull = await pullSource(source, src.name)
    const { progress, onProgress } = progressOf(ctx, 'Copying the image: ')
    let fingerprint: string
    try {
      fingerprint = await target.images.create(
        {
          source: { type: 'image', ...pull.source, fingerprint: pull.image.fingerprint },
          public: flags.public === true,
          auto_update: flags['auto-update'] === true,
        },
        onProgress,
      )
    } finally {
      progress.done()
    }
    const aliases = [...list(flags.alias)]
    if (flags['copy-aliases']) aliases.push(...pull.image.aliases.map((a) => a.name))
    await ensureAliases(target, aliases, fingerprint || pull.image.fingerprint)
    return ctx.global.quiet ? none() : text('Image copied successfully!\n')
  },
}
