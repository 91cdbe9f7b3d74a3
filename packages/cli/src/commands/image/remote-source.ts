/** @module An image on another server, and the `source` a target server needs to pull it (LXD's CopyImage). */
import type { Image } from '@corral/api'
import type { Client, InstanceSource } from '@corral/client'

/** The image found on the source and how the target reaches it. */
export interface PullSource {
  image: Image
  /** The alias the reference resolved through, if it was one. */
  alias?: string
  /** The `source` fields of POST /1.0/images and /1.0/instances (without alias/fingerprint choice). */
  source: Required<Pick<InstanceSource, 'mode' | 'server' | 'protocol' | 'certificate' | 'project'>> & {
    secret?: string
  }
}

/** Resolves an alias (else a fingerprint) on the source, as lxc does, and fetches the image. */
export async function resolveImage(client: Client, ref: string): Promise<{ image: Image; alias?: string }> {
  const name = ref || 'default'
  const alias = await client.images.alias(name).catch(() => undefined)
  const { image } = await client.images.get(alias ? alias.target : name)
  return alias ? { image, alias: name } : { image }
}

/** How other servers reach the source: its https URL and pinned certificate, or its network addresses. */
async function sourceAddress(client: Client): Promise<{ server: string; certificate: string }> {
  if (client.connection?.url)
    return { server: client.connection.url, certificate: client.connection.certificate }
  const env = (await client.server.get()).server.environment
  const addr = env?.addresses?.find((a) => !a.startsWith(':'))
  if (!addr) throw new Error("The source server isn't listening on the network")
  return { server: `https://${addr}`, certificate: env?.certificate ?? '' }
}

/** Everything a target needs to pull `ref` from `client`: a secret is asked for when the image is private. */
export async function pullSource(client: Client, ref: string): Promise<PullSource> {
  const { image, alias } = await resolveImage(client, ref)
  const { server, certificate } = await sourceAddress(client)
  const secret = image.public ? undefined : await client.images.secret(image.fingerprint)
  return {
    image,
    ...(alias ? { alias } : {}),
    source: {
      mode: 'pull',
      server,
      protocol: 'lxd',
      certificate,
      project: client.project,
      ...(secret ? { secret } : {}),
    },
  }
}
