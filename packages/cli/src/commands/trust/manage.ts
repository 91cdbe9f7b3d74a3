/** @module `corral config trust show|edit|remove|revoke-token`. */
import type { CertificatePut } from '@corral/api'
import { tokenFromOperation } from '@corral/client'
import type { CommandDefinition } from '../../command.js'
import { struct } from '../../render/go-value.js'
import { none, text, yaml } from '../../render/result.js'
import { toYaml } from '../../render/yaml.js'
import { splitRemote } from '../../remotes/config.js'
import { editFlow, target } from '../common.js'

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

/** `corral config trust show [<remote>:]<fingerprint>`. */
export const trustShow: CommandDefinition = {
  names: ['show'],
  usage: '[<remote>:]<fingerprint>',
  short: 'Show trust configurations',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'certificate').catch((err: Error) => {
      throw err.message === 'Missing certificate name' ? new Error('Missing certificate fingerprint') : err
    })
    const { certificate } = await client.certificates.get(name)
    return yaml(struct(certificate, fields))
  },
}

const editHeader = `### This is a YAML representation of the certificate.
### Any line starting with a '# will be ignored.
###
### Note that the fingerprint is shown but cannot be changed

`

/** `corral config trust edit [<remote>:]<fingerprint>`: YAML from stdin, or $EDITOR; PUT with If-Match. */
export const trustEdit: CommandDefinition = {
  names: ['edit'],
  usage: '[<remote>:]<fingerprint>',
  short: 'Edit trust configurations as YAML',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'certificate').catch((err: Error) => {
      throw err.message === 'Missing certificate name' ? new Error('Missing certificate fingerprint') : err
    })
    if (!ctx.stdinIsTTY) {
      await client.certificates.put(name, await parseCertificatePut(await ctx.readStdin()))
      return none()
    }
    const { certificate, etag } = await client.certificates.get(name)
    await editFlow(ctx, {
      header: editHeader,
      current: toYaml(struct(certificate, fields)),
      apply: async (edited) => client.certificates.put(name, await parseCertificatePut(edited), etag),
    })
    return none()
  },
}

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
