/** @module `corral monitor`: the event stream, one YAML (or JSON, or pretty) record per event. */
import type { Event } from '@corral/api'
import type { EventStream } from '@corral/client'
import type { CommandDefinition } from '../command.js'
import { goJson } from '../render/json.js'
import { prettyEvent } from '../render/pretty.js'
import type { Result } from '../render/result.js'
import { toYaml } from '../render/yaml.js'
import { remoteClient } from './common.js'

/** Renders one event in a monitor format, or undefined when it is filtered out. */
export function renderEvent(e: Event, format: string, loglevel = ''): string | undefined {
  if (format === 'json') return `${goJson(e)}\n\n`
  if (format === 'pretty') return prettyEvent(e, loglevel)
  return `${toYaml(e)}\n\n`
}

/** Turns an event stream into rendered records, ending when the server closes it. */
export async function* eventLines(stream: EventStream, format: string, loglevel = ''): AsyncIterable<string> {
  const queue: string[] = []
  let wake: (() => void) | undefined
  let done = false
  stream.onEvent((e) => {
    const out = renderEvent(e, format, loglevel)
    if (out !== undefined) queue.push(out)
    wake?.()
  })
  void stream.closed.then(() => {
    done = true
    wake?.()
  })
  for (;;) {
    while (queue.length > 0) yield queue.shift()!
    if (done) return
    await new Promise<void>((resolve) => (wake = resolve))
  }
}

/** `corral monitor [<remote>:]`. */
export const monitor: CommandDefinition = {
  names: ['monitor'],
  usage: '[<remote>:]',
  short: 'Monitor a local or remote Corral server',
  long: 'Monitor a local or remote Corral server\n\nBy default the monitor will listen to all message types.',
  examples: `corral monitor --type=logging
    Only show log messages.

corral monitor --pretty --type=logging --loglevel=info
    Show a pretty log of messages with info level or higher.

corral monitor --type=lifecycle
    Only show lifecycle events.`,
  args: { min: 0, max: 1 },
  flags: [
    { long: 'all-projects', type: 'boolean', description: 'Show events from all projects' },
    { long: 'format', short: 'f', type: 'string', default: 'yaml', description: 'Format (json|pretty|yaml)' },
    {
      long: 'loglevel',
      type: 'string',
      description: 'Minimum level for log messages (only available when using pretty format)',
    },
    { long: 'pretty', type: 'boolean', description: 'Pretty rendering (short for --format=pretty)' },
    { long: 'type', type: 'strings', description: 'Event type to listen for' },
  ],
  async run(ctx, args, flags): Promise<Result> {
    const format = flags.pretty ? 'pretty' : typeof flags.format === 'string' ? flags.format : 'yaml'
    if (!['json', 'pretty', 'yaml'].includes(format)) throw new Error(`Invalid format "${format}"`)
    const loglevel = typeof flags.loglevel === 'string' ? flags.loglevel : ''
    if (loglevel && format !== 'pretty')
      throw new Error('Log level filtering can only be used with pretty formatting')
    const client = await remoteClient(ctx, args[0])
    const types = Array.isArray(flags.type) ? flags.type : []
    const stream = await client.events({ types, allProjects: flags['all-projects'] === true })
    return { kind: 'stream', lines: eventLines(stream, format, loglevel) }
  },
}
