/** @module `corral image list` and `corral image alias list`. */
import type { Image } from '@corral/api'
import type { CommandDefinition } from '../../command.js'
import { list } from '../../render/result.js'
import { imageShape } from '../../render/instance-shapes.js'
import { struct } from '../../render/go-value.js'
import { imageDate } from '../../render/units.js'
import { formatFlag, formatOf, remoteClient } from '../common.js'

/** The shortest alias, and how many more there are, as lxc shows in the ALIAS column. */
function aliasCell(img: Image): string {
  const names = (img.aliases ?? []).map((a) => a.name)
  if (names.length === 0) return ''
  const shortest = names.reduce((a, b) => (b.length < a.length ? b : a))
  return names.length > 1 ? `${shortest} (${names.length - 1} more)` : shortest
}

/** One image as a row of lxc's default columns (lfpdatsu). */
export function imageRow(img: Image): string[] {
  return [
    aliasCell(img),
    img.fingerprint.slice(0, 12),
    img.public ? 'yes' : 'no',
    img.properties?.description ?? '',
    img.architecture,
    (img.type || 'container').toUpperCase().replace('VIRTUAL-MACHINE', 'VIRTUAL-MACHINE'),
    `${(img.size / 1024 / 1024).toFixed(2)}MB`,
    imageDate(img.uploaded_at),
  ]
}

function matches(img: Image, filters: string[]): boolean {
  return filters.every(
    (f) => img.fingerprint.startsWith(f) || (img.aliases ?? []).some((a) => a.name.startsWith(f)),
  )
}

/** `corral image list [<remote>:] [<filter>...]`. */
export const imageList: CommandDefinition = {
  names: ['list', 'ls'],
  usage: '[<remote>:] [<filter>...]',
  short: 'List images',
  args: { min: 0, max: Infinity },
  flags: [
    formatFlag,
    { long: 'columns', short: 'c', type: 'string', default: 'lfpdatsu', description: 'Columns' },
  ],
  async run(ctx, args, flags) {
    const format = formatOf(flags)
    const hasRemote = args[0]?.endsWith(':') === true
    const client = await remoteClient(ctx, hasRemote ? args[0] : undefined)
    const images = (await client.images.list()).filter((i) => matches(i, hasRemote ? args.slice(1) : args))
    return list(
      {
        header: [
          'ALIAS',
          'FINGERPRINT',
          'PUBLIC',
          'DESCRIPTION',
          'ARCHITECTURE',
          'TYPE',
          'SIZE',
          'UPLOAD DATE',
        ],
        rows: images.map(imageRow),
        raw: images.map((i) => imageShape(i, format === 'json')),
      },
      format,
    )
  },
}

/** `corral image alias list [<remote>:] [<filter>...]`. */
export const imageAliasList: CommandDefinition = {
  names: ['list', 'ls'],
  usage: '[<remote>:] [<filters>...]',
  short: 'List image aliases',
  args: { min: 0, max: Infinity },
  flags: [formatFlag],
  async run(ctx, args, flags) {
    const format = formatOf(flags)
    const hasRemote = args[0]?.endsWith(':') === true
    const client = await remoteClient(ctx, hasRemote ? args[0] : undefined)
    const filters = hasRemote ? args.slice(1) : args
    const aliases = (await client.images.aliases()).filter((a) => filters.every((f) => a.name.includes(f)))
    return list(
      {
        header: ['ALIAS', 'FINGERPRINT', 'TYPE', 'DESCRIPTION'],
        rows: aliases.map((a) => [
          a.name,
          a.target.slice(0, 12),
          (a.type || 'container').toUpperCase(),
          a.description,
        ]),
        raw: aliases.map((a) => struct(a, ['description', 'target', 'name', 'type'])),
      },
      format,
    )
  },
}
