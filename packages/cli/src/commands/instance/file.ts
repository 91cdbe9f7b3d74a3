/** @module `corral file push|pull|delete`: copies files in and out of instances. */
import fs from 'node:fs'
import path from 'node:path'
import type { Client } from '@corral/client'
import type { CommandDefinition, CommandGroup, FlagDef, FlagValues } from '../../command.js'
import type { Context } from '../../context.js'
import { none } from '../../render/result.js'
import { instanceRef } from './common.js'

/** Splits `[<remote>:]<instance>/<path>`. */
async function fileRef(ctx: Context, arg: string): Promise<{ client: Client; name: string; path: string }> {
  const slash = arg.indexOf('/')
  if (slash < 0) throw new Error(`Invalid target ${arg}`)
  const { client, name } = await instanceRef(ctx, arg.slice(0, slash))
  return { client, name, path: arg.slice(slash) }
}

/** `-p, --create-dirs` and `-r, --recursive`, common to push and pull. */
const transferFlags: FlagDef[] = [
  { long: 'create-dirs', short: 'p', type: 'boolean', description: 'Create any directories necessary' },
  { long: 'recursive', short: 'r', type: 'boolean', description: 'Recursively transfer files' },
]

const intFlag = (v: unknown): number | undefined =>
  typeof v === 'string' && v !== '' && v !== '-1' ? Number(v) : undefined

async function mkdirParents(
  client: Client,
  name: string,
  dir: string,
  uid?: number,
  gid?: number,
): Promise<void> {
  const parts = dir.split('/').filter(Boolean)
  let cur = ''
  for (const p of parts) {
    cur += `/${p}`
    const exists = await client.instances.pullFile(name, cur).then(
      () => true,
      () => false,
    )
    if (!exists)
      await client.instances.pushFile(name, cur, Buffer.alloc(0), {
        type: 'directory',
        mode: 0o755,
        uid,
        gid,
      })
  }
}

async function pushOne(
  client: Client,
  name: string,
  local: string,
  target: string,
  flags: FlagValues,
): Promise<void> {
  const st = fs.lstatSync(local)
  const mode =
    typeof flags.mode === 'string' && flags.mode !== '' ? parseInt(flags.mode, 8) : st.mode & 0o7777
  const uid = intFlag(flags.uid) ?? st.uid
  const gid = intFlag(flags.gid) ?? st.gid
  if (st.isSymbolicLink()) {
    await client.instances.pushFile(name, target, Buffer.from(fs.readlinkSync(local)), {
      type: 'symlink',
      uid,
      gid,
    })
  } else if (st.isDirectory()) {
    if (!flags.recursive) throw new Error(`Can't push directory ${local} without --recursive`)
    await client.instances.pushFile(name, target, Buffer.alloc(0), { type: 'directory', mode, uid, gid })
    for (const entry of fs.readdirSync(local).sort())
      await pushOne(client, name, path.join(local, entry), path.posix.join(target, entry), flags)
  } else {
    await client.instances.pushFile(name, target, fs.readFileSync(local), { type: 'file', mode, uid, gid })
  }
}

/** `corral file push <source path>... [<remote>:]<instance>/<path>`. */
export const filePush: CommandDefinition = {
  names: ['push'],
  usage: '<source path>... [<remote>:]<instance>/<path>',
  short: 'Push files into instances',
  args: { min: 2, max: Infinity },
  flags: [
    ...transferFlags,
    { long: 'uid', type: 'string', default: '-1', description: "Set the file's uid on push" },
    { long: 'gid', type: 'string', default: '-1', description: "Set the file's gid on push" },
    { long: 'mode', type: 'string', description: "Set the file's perms on push" },
  ],
  async run(ctx, args, flags) {
    const dest = await fileRef(ctx, args[args.length - 1]!)
    const sources = args.slice(0, -1)
    const toDir = dest.path.endsWith('/') || sources.length > 1 || flags.recursive === true
    if (sources.length > 1 && !dest.path.endsWith('/')) throw new Error('Missing target directory')
    if (flags['create-dirs'])
      await mkdirParents(
        dest.client,
        dest.name,
        toDir ? dest.path : path.posix.dirname(dest.path),
        intFlag(flags.uid),
        intFlag(flags.gid),
      )
    for (const src of sources) {
      const target = toDir ? path.posix.join(dest.path, path.basename(src)) : dest.path
      if (src === '-') {
        const data = Buffer.from(await ctx.readStdin())
        await dest.client.instances.pushFile(dest.name, target, data, {
          mode: 0o644,
          uid: intFlag(flags.uid),
          gid: intFlag(flags.gid),
        })
        continue
      }
      await pushOne(dest.client, dest.name, src, target, flags)
    }
    return none()
  },
}

async function pullOne(
  ctx: Context,
  client: Client,
  name: string,
  remote: string,
  local: string,
  recursive: boolean,
): Promise<void> {
  const f = await client.instances.pullFile(name, remote)
  if (f.type === 'directory') {
    if (!recursive) throw new Error(`Can't pull a directory without --recursive`)
    fs.mkdirSync(local, { recursive: true, mode: f.mode })
    for (const e of f.entries)
      await pullOne(ctx, client, name, path.posix.join(remote, e), path.join(local, e), true)
  } else if (f.type === 'symlink') {
    fs.rmSync(local, { force: true })
    fs.symlinkSync(f.content.toString(), local)
  } else if (local === '-') {
    ctx.stdio.out(f.content)
  } else {
    fs.writeFileSync(local, f.content)
    fs.chmodSync(local, f.mode & 0o7777)
  }
}

/** `corral file pull [<remote>:]<instance>/<path>... <target path>`. */
export const filePull: CommandDefinition = {
  names: ['pull'],
  usage: '[<remote>:]<instance>/<path>... <target path>',
  short: 'Pull files from instances',
  args: { min: 2, max: Infinity },
  flags: transferFlags,
  async run(ctx, args, flags) {
    const target = args[args.length - 1]!
    const sources = args.slice(0, -1)
    if (flags['create-dirs'] && target !== '-')
      fs.mkdirSync(sources.length > 1 ? target : path.dirname(target), { recursive: true })
    const isDir = target !== '-' && fs.existsSync(target) && fs.statSync(target).isDirectory()
    if (sources.length > 1 && !isDir)
      throw new Error('More than one file to download, but target is not a directory')
    for (const src of sources) {
      const { client, name, path: p } = await fileRef(ctx, src)
      const local = isDir ? path.join(target, path.posix.basename(p)) : target
      await pullOne(ctx, client, name, p, local, flags.recursive === true)
    }
    return none()
  },
}

/** `corral file delete [<remote>:]<instance>/<path>...`. */
export const fileDelete: CommandDefinition = {
  names: ['delete', 'rm'],
  usage: '[<remote>:]<instance>/<path>...',
  short: 'Delete files in instances',
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    for (const arg of args) {
      const { client, name, path: p } = await fileRef(ctx, arg)
      await client.instances.deleteFile(name, p)
    }
    return none()
  },
}

/** `corral file`. */
export const file: CommandGroup = {
  names: ['file'],
  short: 'Manage files in instances',
  subcommands: [fileDelete, filePull, filePush],
}
