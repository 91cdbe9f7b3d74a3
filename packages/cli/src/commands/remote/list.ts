/** @module `corral remote list`: lxc's table of remotes (NAME URL PROTOCOL AUTH TYPE PUBLIC STATIC GLOBAL). */
import type { CommandDefinition } from '../../command.js'
import { goJson } from '../../render/json.js'
import { struct } from '../../render/go-value.js'
import { list, text } from '../../render/result.js'
import { toYaml } from '../../render/yaml.js'
import { staticRemotes, type RemoteConfig } from '../../remotes/config.js'
import { formatFlag, formatOf } from '../common.js'

const yesNo = (b: boolean | undefined): string => (b ? 'YES' : 'NO')

/** The AUTH TYPE column: the stored type, else what the address implies. */
function authType(r: RemoteConfig): string {
  if (r.auth_type) return r.auth_type
  if (r.addr.startsWith('unix:')) return 'file access'
  if (r.protocol === 'simplestreams') return 'none'
  return 'tls'
}

/** One remote as lxc's json output shows it (Go field names, no json tags). */
function jsonRemote(name: string, r: RemoteConfig): Map<string, unknown> {
  return new Map<string, unknown>([
    ['Addr', r.addr],
    ['AuthType', r.auth_type ?? ''],
    ['Domain', r.domain ?? ''],
    ['Project', r.project ?? ''],
    ['Protocol', r.protocol ?? ''],
    ['Public', r.public === true],
    ['Global', false],
    ['Static', staticRemotes.includes(name)],
  ])
}

/** `corral remote list|ls [--format]`. */
export const remoteList: CommandDefinition = {
  names: ['list', 'ls'],
  usage: '',
  short: 'List the available remotes',
  args: { min: 0, max: 0 },
  flags: [formatFlag],
  async run(ctx, _args, flags) {
    const format = formatOf(flags)
    const config = await ctx.config()
    const names = Object.keys(config.remotes).sort()
    if (format === 'json')
      return text(`${goJson(new Map(names.map((n) => [n, jsonRemote(n, config.remotes[n]!)])))}\n`)
    if (format === 'yaml') {
      const fields = ['addr', 'auth_type', 'domain', 'project', 'protocol', 'public']
      const shaped = names.map((n) => {
        const r = Object.fromEntries(
          Object.entries(config.remotes[n]!).filter(([, v]) => v !== '' && v !== undefined),
        )
        return [n, struct({ public: false, ...r }, fields)] as const
      })
      return text(toYaml(new Map(shaped)))
    }
    const rows = names.map((name) => {
      const r = config.remotes[name]!
      return [
        name === config['default-remote'] ? `${name} (current)` : name,
        r.addr,
        r.protocol || 'lxd',
        authType(r),
        yesNo(r.public),
        yesNo(staticRemotes.includes(name)),
        'NO',
      ]
    })
    const header = ['NAME', 'URL', 'PROTOCOL', 'AUTH TYPE', 'PUBLIC', 'STATIC', 'GLOBAL']
    return list({ header, rows, raw: [] }, format)
  },
}
