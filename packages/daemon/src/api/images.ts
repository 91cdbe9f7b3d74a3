/** @module /1.0/images endpoints: import, list, show, edit, export and delete. */
import { badRequest, notFound, type ImagePut } from '@corral/api'
import { entityUrl } from '../events/lifecycle.js'
import * as images from '../image/index.js'
import { asObject, stringField, stringList, stringMapField } from './body.js'
import { findImageSecret, issueImageSecret } from '../image/secrets.js'
import { can, inProject } from './access.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { imageAliasEndpoints } from './image-aliases.js'
import { checkEtag, etagOf } from './etag.js'
import { publishInstance } from '../instance/publish.js'
import { validateInstanceName, validateSnapshotName } from '../util/names.js'
import { recursionLevel } from './query.js'
import { async, empty, raw, sync } from './response.js'

const writeOpts = (req: ApiRequest) => ({ project: req.project(), requestor: req.requestor() })

/**
 * Where and what the caller may read: untrusted callers see the default project's public images;
 * callers outside the project see its public ones (LXD's rule), unless they hold the image's secret.
 */
function readScope(req: ApiRequest): { project: string; publicOnly: boolean } {
  const project = req.identity.trusted ? req.project() : 'default'
  return { project, publicOnly: !inProject(req.identity, project) }
}

/** The image named in the path, as the caller may read it; `consume` spends a matching secret. */
function load(req: ApiRequest, consume = false): images.ImageRecord {
  const { project, publicOnly } = readScope(req)
  const image = images.getImage(req.state, project, req.params.fingerprint!)
  if (!publicOnly || image.public) return image
  const secret = findImageSecret(req.state, project, image.fingerprint, req.query.get('secret') ?? '')
  if (!secret) throw notFound('Image not found')
  if (consume) void secret.cancel().catch(() => {})
  return image
}

function header(req: ApiRequest, name: string): string {
  const v = req.headers[name]
  return (Array.isArray(v) ? v[0] : v) ?? ''
}

/** The import options LXD's client sends as X-LXD-* headers. */
function importOptions(req: ApiRequest): images.ImportOptions {
  const props = new URLSearchParams(header(req, 'x-lxd-properties'))
  const profiles = new URLSearchParams(header(req, 'x-lxd-profiles')).getAll('profile')
  return {
    ...writeOpts(req),
    public: ['true', '1'].includes(header(req, 'x-lxd-public').toLowerCase()),
    filename: header(req, 'x-lxd-filename'),
    properties: Object.fromEntries(props.entries()),
    ...(profiles.length ? { profiles } : {}),
    ...(header(req, 'x-lxd-fingerprint') ? { expectedFingerprint: header(req, 'x-lxd-fingerprint') } : {}),
  }
}

/** The `aliases` of POST /1.0/images: `[{name, description}]`. */
function aliasesField(body: Record<string, unknown>): images.NewAlias[] {
  const v = body.aliases
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw badRequest('Invalid value for field "aliases": must be a list')
  return v.map((a: unknown) => {
    const entry = asObject(a)
    return { name: stringField(entry, 'name'), description: stringField(entry, 'description') }
  })
}

/** The JSON forms of POST /1.0/images: a pull from another server; the other sources are refused. */
function jsonSource(req: ApiRequest, body: Record<string, unknown>) {
  const source = body.source as Record<string, unknown> | undefined
  const type = typeof source?.type === 'string' ? source.type : ''
  if (type === 'image' && source?.server) {
    const remote = images.parseRemoteSource(source)
    const options = {
      ...writeOpts(req),
      public: boolField(body, 'public', false),
      filename: '',
      properties: stringMapField(body, 'properties'),
    }
    return async(images.pullImageOperation(req.state, remote, options, aliasesField(body)))
  }
  if (type === 'image') throw badRequest('An image source needs a "server" to copy from')
  if (type === 'url') throw badRequest('URL image sources are not supported yet')
  if (type === 'instance' || type === 'container' || type === 'snapshot')
    return publishSource(req, body, source!, type)
  if (type === 'virtual-machine') throw badRequest('Virtual machines are not supported')
  throw badRequest(type ? `Unsupported image source type "${type}"` : 'No image source provided')
}

/** POST /1.0/images from an instance (`name`) or a snapshot (`name/snap`): publish it. */
async function publishSource(
  req: ApiRequest,
  body: Record<string, unknown>,
  source: Record<string, unknown>,
  type: string,
) {
  const name = stringField(source, 'name')
  if (!name) throw badRequest('No source provided')
  const [instance = '', snapshot, ...rest] = name.split('/')
  if (rest.length > 0) throw badRequest(`Invalid source name "${name}"`)
  if (type === 'snapshot' && snapshot === undefined) throw badRequest('Not a snapshot')
  if (type !== 'snapshot' && snapshot !== undefined) throw badRequest('This is a snapshot')
  validateInstanceName(instance)
  if (snapshot !== undefined) validateSnapshotName(snapshot)
  const expires = stringField(body, 'expires_at')
  const expiresAt = expires && !expires.startsWith('0001-') ? Math.floor(Date.parse(expires) / 1000) : 0
  if (Number.isNaN(expiresAt)) throw badRequest(`Invalid value for field "expires_at": "${expires}"`)
  const properties =
    body.properties === undefined || body.properties === null ? undefined : stringMapField(body, 'properties')
  return async(
    await publishInstance(req.state, {
      ...writeOpts(req),
      instance,
      ...(snapshot !== undefined ? { snapshot } : {}),
      ...(properties ? { properties } : {}),
      public: boolField(body, 'public', false),
      filename: stringField(body, 'filename'),
      aliases: aliasesField(body),
      expiresAt,
      compression: stringField(body, 'compression_algorithm'),
    }),
  )
}

function boolField(body: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const v = body[field]
  if (v === undefined || v === null) return fallback
  if (typeof v !== 'boolean') throw badRequest(`Invalid value for field "${field}": must be a boolean`)
  return v
}

/** Reads a PUT/PATCH body on top of `base` (the current state for PATCH, defaults for PUT). */
function readPut(body: Record<string, unknown>, base: ImagePut, merge: boolean): ImagePut {
  const profiles = stringList(body, 'profiles')
  const properties = stringMapField(body, 'properties')
  return {
    public: boolField(body, 'public', base.public),
    auto_update: boolField(body, 'auto_update', base.auto_update),
    expires_at:
      typeof body.expires_at === 'string' && body.expires_at !== '' ? body.expires_at : base.expires_at,
    properties: merge ? { ...base.properties, ...properties } : properties,
    profiles: profiles ?? base.profiles,
  }
}

/** The image and image alias endpoints (aliases first: `/1.0/images/aliases` is no fingerprint). */
export const imageEndpoints = [
  ...imageAliasEndpoints,
  endpoint('/1.0/images', {
    get: {
      access: 'untrusted',
      handler: (req) => {
        const { project, publicOnly } = readScope(req)
        const list = images.listImages(req.state, project, publicOnly)
        if (recursionLevel(req) > 0) return sync(list.map((r) => images.toApiImage(req.state, r)))
        return sync(list.map((r) => entityUrl(`/1.0/images/${r.fingerprint}`, r.project)))
      },
    },
    post: {
      access: can('manage-images', images.imageProject),
      handler: async (req) => {
        if (/^application\/json\b/i.test(header(req, 'content-type')))
          return jsonSource(req, asObject(await req.json()))
        const staged = await images.receiveUpload(req.state, req.raw, req.headers)
        return async(await images.importImage(req.state, staged, importOptions(req)))
      },
    },
  }),
  endpoint('/1.0/images/{fingerprint}', {
    get: {
      access: 'untrusted',
      handler: (req) => {
        const r = load(req)
        return sync(images.toApiImage(req.state, r), { etag: etagOf(images.imageEtagSource(r)) })
      },
    },
    put: {
      access: can('manage-images', images.imageProject),
      handler: async (req) => {
        const r = load(req)
        checkEtag(req.headers, images.imageEtagSource(r))
        const defaults = { ...images.currentPut(r), public: false, auto_update: false, properties: {} }
        images.updateImage(req.state, r, readPut(asObject(await req.json()), defaults, false), writeOpts(req))
        return empty()
      },
    },
    patch: {
      access: can('manage-images', images.imageProject),
      handler: async (req) => {
        const r = load(req)
        checkEtag(req.headers, images.imageEtagSource(r))
        images.updateImage(
          req.state,
          r,
          readPut(asObject(await req.json()), images.currentPut(r), true),
          writeOpts(req),
        )
        return empty()
      },
    },
    delete: {
      access: can('manage-images', images.imageProject),
      handler: (req) => async(images.deleteImage(req.state, load(req), writeOpts(req))),
    },
  }),
  endpoint('/1.0/images/{fingerprint}/export', {
    get: {
      access: 'untrusted',
      handler: async (req) => {
        const { body, headers } = await images.exportBody(
          await images.exportFiles(req.state, load(req, true)),
        )
        return raw(body, headers)
      },
    },
  }),
  endpoint('/1.0/images/{fingerprint}/secret', {
    post: {
      access: can('view'),
      handler: (req) => {
        const image = load(req)
        return async(issueImageSecret(req.state, req.project(), image.fingerprint, req.requestor()))
      },
    },
  }),
]
