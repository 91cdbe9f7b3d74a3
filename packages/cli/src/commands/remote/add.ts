/** @module `corral remote add [<remote>] <IP|FQDN|URL|token>`: trust tokens, https servers, public image servers. */
import type { CertificateAddToken, Server } from '@corral/api'
import { decodeToken, type Client } from '@corral/client'
import type { CommandDefinition, FlagValues } from '../../command.js'
import type { Context } from '../../context.js'
import { none, type Result } from '../../render/result.js'
import { classifyAddress } from '../../remotes/address.js'
import type { ClientConfig, RemoteConfig } from '../../remotes/config.js'

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** lxc's findProject: the --project (checked), else the only project visible, else the default. */
async function findProject(client: Client, wanted: string): Promise<string> {
  if (wanted) {
    await client.projects.get(wanted)
    return wanted
  }
  const names = (await client.projects.list()).map((p) => p.name)
  if (names.length === 1) return names[0]!
  if (names.length === 0 || names.includes('default')) return ''
  throw new Error(
    `The remote can reach several projects but not "default"; choose one with --project (${names.join(', ')})`,
  )
}

/** Saves the config with one more remote. */
async function saveRemote(ctx: Context, config: ClientConfig, name: string, remote: RemoteConfig) {
  await ctx.saveConfig({ ...config, remotes: { ...config.remotes, [name]: remote } })
}

/** Runs `step`; on failure removes the certificate pinned for `name` (nothing is left behind). */
async function orUnpin<T>(ctx: Context, name: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (err) {
    await ctx.remotes.unpinServerCert(name)
    throw err
  }
}

/** Tries one token address: the server's certificate must have the token's fingerprint. */
async function addFromToken(
  ctx: Context,
  name: string,
  url: string,
  token: CertificateAddToken & { text: string },
  flags: FlagValues,
): Promise<'unavailable' | 'added'> {
  let fetched
  try {
    fetched = await ctx.remotes.fetchCertificate(url)
  } catch {
    return 'unavailable'
  }
  if (fetched.fingerprint !== token.fingerprint)
    throw new Error(`Certificate fingerprint mismatch between certificate token and server "${url}"`)
  await ctx.remotes.pinServerCert(name, fetched.certificate)
  await orUnpin(ctx, name, async () => {
    const client = await ctx.remotes.dial(url, { serverCert: fetched.certificate, authenticate: true })
    try {
      await client.certificates.add({ type: 'client', password: token.text, trust_token: token.text })
    } catch (err) {
      throw new Error(`Failed to create certificate: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      })
    }
    const { server } = await client.server.get()
    if (server.auth !== 'trusted') throw new Error("Server doesn't trust us after authentication")
    const project = await findProject(client, str(flags.project)).catch((err: unknown) => {
      throw new Error(`Failed to find project: ${err instanceof Error ? err.message : String(err)}`)
    })
    const remote: RemoteConfig = { addr: url, protocol: 'lxd', auth_type: str(flags['auth-type']), project }
    await saveRemote(ctx, await ctx.config(), name, remote)
  })
  return 'added'
}

/** The token flow: decode, check the fingerprint at each address, pin, redeem, then require trust. */
async function runToken(ctx: Context, name: string, text: string, flags: FlagValues): Promise<Result> {
  if (flags['accept-certificate'])
    throw new Error(
      'The --accept-certificate flag cannot be used with a trust token: the token names the server certificate to trust',
    )
  const token = { ...decodeToken(text), text }
  if (await ctx.remotes.ensureClientCertificate())
    ctx.stdio.err('Generating a client certificate. This may take a minute...\n')
  for (const addr of token.addresses) {
    if ((await addFromToken(ctx, name, `https://${addr}`, token, flags)) === 'added') return none()
  }
  ctx.stdio.out('All server addresses are unavailable\n')
  const line = (await ctx.ask('Please provide an alternate server address (empty to abort): ')).trim()
  if (!line) throw new Error('Failed to add remote')
  const alt = classifyAddress(line)
  if (alt.kind !== 'https') throw new Error(`Invalid remote address "${line}"`)
  if ((await addFromToken(ctx, name, alt.addr, token, flags)) === 'added') return none()
  throw new Error(`Unavailable remote server: ${alt.addr}`)
}

/** Asks to accept a certificate as lxc does, unless --accept-certificate. */
async function confirmCertificate(ctx: Context, fingerprint: string, flags: FlagValues): Promise<void> {
  if (flags['accept-certificate']) return
  const line = await ctx.ask(`Certificate fingerprint: ${fingerprint}\nok (y/n/[fingerprint])? `)
  if (line === fingerprint) return
  if (line.length < 1 || line[0]!.toLowerCase() === 'n') throw new Error('Server certificate NACKed by user')
  if (line[0]!.toLowerCase() !== 'y') throw new Error("Please type 'y', 'n' or the fingerprint:")
}

/** The URL flow: connect (pinning the server certificate after asking), then authenticate unless public. */
async function runUrl(ctx: Context, name: string, addr: string, flags: FlagValues): Promise<Result> {
  const config = await ctx.config()
  const authType = str(flags['auth-type'])
  if (authType && authType !== 'tls') throw new Error(`Authentication type '${authType}' is not supported`)
  const isPublic = flags.public === true
  if (addr.startsWith('unix:')) {
    const client = await ctx.remotes.dial(addr, { authenticate: false })
    const project = await findProject(client, str(flags.project))
    await saveRemote(ctx, config, name, { addr, protocol: 'lxd', auth_type: 'tls', project })
    return none()
  }
  if (!isPublic && (await ctx.remotes.ensureClientCertificate()))
    ctx.stdio.err('Generating a client certificate. This may take a minute...\n')
  // A server whose certificate the system CAs accept needs no pinning, as with lxc.
  let pinned: string | undefined
  let client: Client | undefined
  let server: Server | undefined
  try {
    client = await ctx.remotes.dial(addr, { authenticate: !isPublic })
    server = (await client.server.get()).server
  } catch (err) {
    const fetched = await ctx.remotes.fetchCertificate(addr).catch(() => {
      throw err
    })
    await confirmCertificate(ctx, fetched.fingerprint, flags)
    pinned = fetched.certificate
    await ctx.remotes.pinServerCert(name, pinned)
  }
  return orUnpin(ctx, name, async () => {
    if (pinned !== undefined || !client || !server) {
      client = await ctx.remotes.dial(addr, { serverCert: pinned, authenticate: !isPublic })
      server = (await client.server.get()).server
    }
    if (isPublic || server.public) {
      await saveRemote(ctx, config, name, { addr, public: true })
      return none()
    }
    if (!server.auth_methods?.includes('tls'))
      throw new Error("Authentication type 'tls' not supported by server")
    if (server.auth !== 'trusted') {
      let password = str(flags.password)
      if (!password) {
        password = await ctx.ask(`Admin password (or token) for ${name}: `)
        ctx.stdio.out('\n')
      }
      await client.certificates.add({ type: 'client', password })
      if ((await client.server.get()).server.auth !== 'trusted')
        throw new Error("Server doesn't trust us after authentication")
      ctx.stdio.out(`Client certificate now trusted by server: ${name}\n`)
    }
    const project = await findProject(client, str(flags.project))
    await saveRemote(ctx, config, name, { addr, protocol: 'lxd', auth_type: 'tls', project })
    return none()
  })
}

/** `corral remote add [<remote>] <IP|FQDN|URL|token>`. */
export const remoteAdd: CommandDefinition = {
  names: ['add'],
  usage: '[<remote>] <IP|FQDN|URL|token>',
  short: 'Add new remote servers',
  long: 'Add new remote servers\n\nURL for remote resources must be HTTPS (https://).\n\nA trust token (from `corral config trust add` on the server) pins the server certificate\nnamed in the token and makes this client trusted.',
  args: { min: 1, max: 2 },
  flags: [
    { long: 'accept-certificate', type: 'boolean', description: 'Accept certificate' },
    { long: 'auth-type', type: 'string', description: 'Server authentication type (tls or candid)' },
    { long: 'domain', type: 'string', description: 'Candid domain to use' },
    { long: 'password', type: 'string', description: 'Remote admin password' },
    { long: 'project', type: 'string', description: 'Project to use for the remote' },
    { long: 'protocol', type: 'string', description: 'Server protocol (lxd or simplestreams)' },
    { long: 'public', type: 'boolean', description: 'Public image server' },
  ],
  async run(ctx, args, flags) {
    const name = args[0]!
    const arg = args[1] ?? args[0]!
    if (name.includes(':')) throw new Error('Remote names may not contain colons')
    const config = await ctx.config()
    const existing = config.remotes[name]
    if (existing) throw new Error(`Remote ${name} exists as <${existing.addr}>`)
    const protocol = str(flags.protocol) || 'lxd'
    if (protocol !== 'lxd')
      throw new Error(
        protocol === 'simplestreams'
          ? 'Simplestreams image servers are not supported: corral speaks the lxd protocol only'
          : `Invalid protocol: ${protocol}`,
      )
    const address = classifyAddress(arg)
    if (address.kind === 'token') return runToken(ctx, name, address.text, flags)
    return runUrl(ctx, name, address.addr, flags)
  },
}
