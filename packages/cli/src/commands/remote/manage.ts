/** @module `corral remote remove|rename|switch|get-default|set-url`: config.yml edits with lxc's checks. */
import type { CommandDefinition } from '../../command.js'
import type { Context } from '../../context.js'
import { none, text } from '../../render/result.js'
import { staticRemotes, type ClientConfig, type RemoteConfig } from '../../remotes/config.js'

/** The remote named `name`, refusing unknown ones and (when `modify`) static ones, as lxc words it. */
async function existing(
  ctx: Context,
  name: string,
  modify: boolean,
): Promise<{ config: ClientConfig; remote: RemoteConfig }> {
  const config = await ctx.config()
  const remote = config.remotes[name]
  if (!remote) throw new Error(`Remote ${name} doesn't exist`)
  if (modify && staticRemotes.includes(name))
    throw new Error(`Remote ${name} is static and cannot be modified`)
  return { config, remote }
}

/** `corral remote remove|rm <remote>`. */
export const remoteRemove: CommandDefinition = {
  names: ['remove', 'rm'],
  usage: '<remote>',
  short: 'Remove remotes',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const name = args[0]!
    const { config } = await existing(ctx, name, true)
    if (config['default-remote'] === name) throw new Error("Can't remove the default remote")
    const remotes = { ...config.remotes }
    delete remotes[name]
    await ctx.saveConfig({ ...config, remotes })
    await ctx.remotes.unpinServerCert(name)
    return none()
  },
}

/** `corral remote rename|mv <remote> <new-name>`: the pinned certificate moves with it. */
export const remoteRename: CommandDefinition = {
  names: ['rename', 'mv'],
  usage: '<remote> <new-name>',
  short: 'Rename remotes',
  args: { min: 2, max: 2 },
  async run(ctx, args) {
    const [from, to] = args as [string, string]
    const { config, remote } = await existing(ctx, from, true)
    if (to in config.remotes) throw new Error(`Remote ${to} already exists`)
    if (to.includes(':')) throw new Error('Remote names may not contain colons')
    await ctx.remotes.renameServerCert(from, to)
    const remotes = { ...config.remotes, [to]: remote }
    delete remotes[from]
    const defaultRemote = config['default-remote'] === from ? to : config['default-remote']
    await ctx.saveConfig({ ...config, 'default-remote': defaultRemote, remotes })
    return none()
  },
}

/** `corral remote switch|set-default <remote>`. */
export const remoteSwitch: CommandDefinition = {
  names: ['switch', 'set-default'],
  usage: '<remote>',
  short: 'Switch the default remote',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { config } = await existing(ctx, args[0]!, false)
    await ctx.saveConfig({ ...config, 'default-remote': args[0]! })
    return none()
  },
}

/** `corral remote get-default`. */
export const remoteGetDefault: CommandDefinition = {
  names: ['get-default'],
  usage: '',
  short: 'Show the default remote',
  args: { min: 0, max: 0 },
  async run(ctx) {
    return text(`${(await ctx.config())['default-remote']}\n`)
  },
}

/** `corral remote set-url <remote> <URL>`: stores the address as given, as lxc does. */
export const remoteSetUrl: CommandDefinition = {
  names: ['set-url'],
  usage: '<remote> <URL>',
  short: 'Set the URL for the remote',
  args: { min: 2, max: 2 },
  async run(ctx, args) {
    const { config, remote } = await existing(ctx, args[0]!, true)
    await ctx.saveConfig({
      ...config,
      remotes: { ...config.remotes, [args[0]!]: { ...remote, addr: args[1]! } },
    })
    return none()
  },
}
