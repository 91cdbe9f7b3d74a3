/** @module `corral query`: a raw request, printed as lxc prints it (tab-indented JSON). */
import type { Envelope } from '@corral/api'
import { operationId } from '@corral/client'
import type { CommandDefinition } from '../command.js'
import { struct } from '../render/go-value.js'
import { goJson } from '../render/json.js'
import { none, text } from '../render/result.js'
import { splitRemote } from '../remotes/config.js'

const envelopeFields = ['type', 'status', 'status_code', 'operation', 'error_code', 'error', 'metadata']

/** Parses `-d` as JSON, falling back to sending it as a JSON string (lxc's behaviour). */
export function queryBody(data: string | undefined, method: string): unknown {
  if (data === undefined) return method === 'GET' ? undefined : ''
  try {
    return JSON.parse(data) as unknown
  } catch {
    return data
  }
}

/** Renders a query response: the whole envelope with --raw, else its metadata (nothing when empty). */
export function renderQuery(envelope: Envelope, raw: boolean): string {
  if (raw) return `${goJson(struct(envelope, envelopeFields), { indent: '\t', keepOrder: true })}\n\n`
  const m = envelope.metadata
  if (m === null || m === undefined) return ''
  if (typeof m === 'object' && !Array.isArray(m) && Object.keys(m).length === 0) return ''
  return `${goJson(m, { indent: '\t' })}\n\n`
}

/** `corral query [<remote>:]<API path>`. */
export const query: CommandDefinition = {
  names: ['query'],
  usage: '[<remote>:]<API path>',
  short: 'Send a raw query to Corral',
  examples: 'corral query -X DELETE --wait /1.0/instances/c1\n    Delete local instance "c1".',
  args: { min: 1, max: 1 },
  flags: [
    { long: 'data', short: 'd', type: 'string', description: 'Input data' },
    { long: 'raw', type: 'boolean', description: 'Print the raw response' },
    { long: 'request', short: 'X', type: 'string', default: 'GET', description: 'Action (defaults to GET)' },
    { long: 'wait', type: 'boolean', description: 'Wait for the operation to complete' },
  ],
  async run(ctx, args, flags) {
    if (ctx.global.project) throw new Error('--project cannot be used with the query command')
    const arg = args[0]!
    const { remote, name: path } = arg.startsWith('/')
      ? { remote: undefined, name: arg }
      : splitRemote(await ctx.config(), arg)
    if (!path.startsWith('/')) throw new Error('Query path must start with /')
    const method = typeof flags.request === 'string' ? flags.request : 'GET'
    const client = await ctx.client(remote)
    const data = typeof flags.data === 'string' ? flags.data : undefined
    let { envelope } = await client.query(method, path, queryBody(data, method))
    if (envelope.type === 'async' && flags.wait) {
      const id = operationId(envelope.operation)
      envelope = (await client.query('GET', `/1.0/operations/${encodeURIComponent(id)}/wait`)).envelope
    }
    const out = renderQuery(envelope, flags.raw === true)
    return out === '' ? none() : text(out)
  },
}
