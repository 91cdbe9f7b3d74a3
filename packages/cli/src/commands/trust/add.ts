/** @module `corral config trust add` (a certificate, or a trust token) and `add-certificate`. */
import { X509Certificate } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { CertificatesPost } from '@corral/api'
import { encodeToken, tokenFromOperation } from '@corral/client'
import type { CommandDefinition, FlagDef, FlagValues } from '../../command.js'
import type { Context } from '../../context.js'
import { none, text, type Result } from '../../render/result.js'
import { remoteClient } from '../common.js'

const addFlags: readonly FlagDef[] = [
  { long: 'name', type: 'string', description: 'Alternative certificate name' },
  { long: 'projects', type: 'string', description: 'List of projects to restrict the certificate to' },
  { long: 'restricted', type: 'boolean', description: 'Restrict the certificate to one or more projects' },
  { long: 'type', type: 'string', default: 'client', description: 'Type of certificate' },
]

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** The grant fields every form of add sends: type, restriction and projects. */
function grant(flags: FlagValues): Partial<CertificatesPost> {
  const type = str(flags.type) || 'client'
  if (type !== 'client' && type !== 'metrics') throw new Error(`Unknown certificate type "${type}"`)
  const projects = str(flags.projects)
  return { type, restricted: flags.restricted === true, projects: projects ? projects.split(',') : [] }
}

/** Reads a PEM certificate file (`-`: stdin) and returns it as base64 DER, as lxc sends it. */
async function readCertificate(ctx: Context, file: string): Promise<string> {
  const pem = file === '-' ? await ctx.readStdin() : await fs.readFile(file, 'utf8')
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('Invalid certificate file')
  try {
    return new X509Certificate(pem).raw.toString('base64')
  } catch {
    throw new Error('Invalid certificate file')
  }
}

/** Adds a certificate file to the trust store of the remote given as `[<remote>:]`. */
async function addCertificate(
  ctx: Context,
  remote: string | undefined,
  file: string,
  flags: FlagValues,
): Promise<Result> {
  const client = await remoteClient(ctx, remote)
  const certificate = await readCertificate(ctx, file)
  const name = str(flags.name) || path.basename(file === '-' ? '/dev/stdin' : file)
  await client.certificates.add({ ...grant(flags), name, certificate })
  return none()
}

/** Issues a trust token on the remote and prints it as lxc does. */
async function addToken(ctx: Context, remote: string | undefined, flags: FlagValues): Promise<Result> {
  const g = grant(flags)
  if (g.type === 'metrics') throw new Error('Cannot use metrics type certificate when using a token')
  const client = await remoteClient(ctx, remote)
  const name = str(flags.name) || (await ctx.ask('Please provide client name: ')).trim()
  if (!name) throw new Error('A client name is required for a token (--name)')
  const op = await client.certificates.createToken({ ...g, name })
  const token = tokenFromOperation(op)
  if (!token)
    throw new Error('Failed converting token operation to certificate add token: missing token metadata')
  const header = ctx.global.quiet ? '' : `Client ${name} certificate add token:\n`
  return text(`${header}${encodeToken(token)}\n`)
}

/** Is a single argument `<remote>:` (a server) rather than a certificate file? */
async function namesRemote(ctx: Context, arg: string): Promise<boolean> {
  return arg.endsWith(':') && arg.slice(0, -1) in (await ctx.config()).remotes
}

/** `corral config trust add [<remote>:] [<cert>]`: without a certificate, issues a trust token. */
export const trustAdd: CommandDefinition = {
  names: ['add'],
  usage: '[<remote>:] [<cert>]',
  short: 'Add new trusted client',
  long: `Add new trusted client

The following certificate types are supported:
- client (default)
- metrics

If the certificate is omitted, a token will be generated and returned. A client
providing a valid token will have its client certificate added to the trusted list
and the consumed token will be invalidated. Similar to certificates, tokens can be
restricted to one or more projects.`,
  args: { min: 0, max: 2 },
  flags: addFlags,
  async run(ctx, args, flags) {
    if (args.length === 0) return addToken(ctx, undefined, flags)
    if (args.length === 1 && (await namesRemote(ctx, args[0]!))) return addToken(ctx, args[0], flags)
    return addCertificate(ctx, args.length === 2 ? args[0] : undefined, args[args.length - 1]!, flags)
  },
}

/** `corral config trust add-certificate [<remote>:] <cert>`. */
export const trustAddCertificate: CommandDefinition = {
  names: ['add-certificate'],
  usage: '[<remote>:] <cert>',
  short: 'Add new trusted client certificate',
  long: 'Add new trusted client certificate\n\nThe certificate file is PEM; "-" reads it from stdin.',
  args: { min: 1, max: 2 },
  flags: addFlags,
  run: (ctx, args, flags) =>
    addCertificate(ctx, args.length === 2 ? args[0] : undefined, args[args.length - 1]!, flags),
}
