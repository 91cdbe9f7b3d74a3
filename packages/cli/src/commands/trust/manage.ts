/** @module `corral config trust show|edit|remove|revoke-token`. */
import type { CertificatePut } from '@corral/api'
import { tokenFromOperation, type Client } from '@corral/client'
import type { CommandDefinition } from '../../command.js'
import type { Context } from '../../context.js'
import { struct } from '../../render/go-value.js'
import { none, text, yaml } from '../../render/result.js'
import { splitRemote } from '../../remotes/config.js'
import { target } from '../common.js'
import { refCommand } from '../ref-command.js'
import { editCommand } from '../edit-command.js'

const fields = ['name', 'type', 'restricted', 'projects', 'certificate', 'fingerprint']

/** Reads the YAML of a certificate into its writable fields (go-yaml into CertificatePut). */
async function parseCertificatePut(text: string): Promise<CertificatePut> {
  const { parse } = await import('yaml')
  const v = (parse(text) ?? {}) as Record<string, unknown>
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error('Invalid YAML: expected a mapping')
  const s = (k: string): string => {
    const x = v[k]
    return typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : ''
  }
  const projects = Array.isArray(v.projects)
    ? v.projects.filter((p): p is string => typeof p === 'string')
    : []
  return {
    name: s('name'),
    type: s('type'),
    restricted: v.restricted === true,
    projects,
    certificate: s('certificate'),
  }
}

/** Resolves `[<remote>:]<fingerprint>` ("Missing certificate fingerprint" when empty). */
const certRef = (ctx: Context, arg: string): Promise<{ client: Client; name: string }> =>
  target(ctx, arg, 'certificate').catch((err: Error) => {
    throw err.message === 'Missing certificate name' ? new Error('Missing certificate fingerprint') : err
  })

/** Commands on one certificate, resolved by `certRef`. */
const certCommand = refCommand(certRef)

/** `corral config trust show [<remote>:]<fingerprint>`. */
export const trustShow: CommandDefinition = certCommand({
  names: ['show'],
  usage: '[<remote>:]<fingerprint>',
  short: 'Show trust configurations',
  args: { min: 1, max: 1 },
  async run(client, name) {
    const { certificate } = await client.certificates.get(name)
    return yaml(struct(certificate, fields))
  },
})

const editHeader = `### This is a YAML representation of the certificate.
### Any line starting with a '# will be ignored.
###
### Note that the fingerprint is shown but cannot be changed

`

/** `corral config trust edit [<remote>:]<fingerprint>`: YAML from stdin, or $EDITOR; PUT with If-Match. */
export const trustEdit: CommandDefinition = editCommand({
  what: 'certificate',
  arg: 'fingerprint',
  resolve: certRef,
  short: 'Edit trust configurations as YAML',
  header: editHeader,
  parse: parseCertificatePut,
  async load(client, name) {
    const { certificate, etag } = await client.certificates.get(name)
    return { shape: struct(certificate, fields), etag }
  },
  put: (client, name, body, etag) => client.certificates.put(name, body, etag),
})

/** `corral config trust remove|rm [<remote>:]<fingerprint>` (also the legacy `<remote>: <fingerprint>`). */
export const trustRemove: CommandDefinition = {
  names: ['remove', 'rm'],
  usage: '[<remote>:]<fingerprint>',
  short: 'Remove trusted client',
  args: { min: 1, max: 2 },
  async run(ctx, args) {
    const { remote, name } = splitRemote(await ctx.config(), args[0]!)
    const fingerprint = args.length === 2 ? args[1]! : name
    if (!fingerprint) throw new Error('Missing certificate fingerprint')
    await (await ctx.client(remote)).certificates.delete(fingerprint)
    return none()
  },
}

/** `corral config trust revoke-token [<remote>:]<name>`: cancels the running token operation of that client. */
export const trustRevokeToken: CommandDefinition = {
  names: ['revoke-token'],
  usage: '[<remote>:] <name>',
  short: 'Revoke certificate add token',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { remote, name } = splitRemote(await ctx.config(), args[0]!)
    const client = (await ctx.client(remote)).withProject('default')
    for (const op of await client.operations.list()) {
      if (op.class !== 'token' || op.status_code !== 103) continue
      if (tokenFromOperation(op)?.client_name !== name) continue
      await client.operations.cancel(op.id)
      return ctx.global.quiet ? none() : text(`Certificate add token for ${name} deleted\n`)
    }
    throw new Error(`No certificate add token for member ${name} on remote: ${remote}`)
  },
}
