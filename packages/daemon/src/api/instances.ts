/** @module /1.0/instances endpoints: list, create, get, update, rename, delete. */
import { badRequest } from '@corral/api'
import * as db from '../db/instances.js'
import { entityUrl } from '../events/lifecycle.js'
import { parseRemoteSource } from '../image/index.js'
import {
  createInstance,
  deleteInstance,
  renameInstance,
  updateInstance,
  validateCreate,
  validateUpdate,
  type CreateRequest,
} from '../instance/lifecycle.js'
import { runtimeState } from '../instance/container.js'
import { randomInstanceName } from '../instance/names.js'
import { runtimeStates } from '../instance/service.js'
import { toApiInstance, toApiInstanceFull } from '../instance/wire.js'
import { getSnapshot } from '../db/instances.js'
import { restoreSnapshot } from '../instance/snapshots.js'
import { isTrue } from '../config/validate.js'
import { validateInstanceName } from '../util/names.js'
import { asObject, devicesField, stringField, stringMapField } from './body.js'
import { can, inProject } from './access.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { checkEtag, etagOf } from './etag.js'
import { callerOf, instanceOperation } from './instance-op.js'
import { matchesFilter, parseFilter } from './filter.js'
import { recursionLevel } from './query.js'
import { async, sync } from './response.js'
import { createFromMigration, isMigration, migrationSource } from './instance-migration.js'

const load = (req: ApiRequest) => db.getInstance(req.state.db, req.project(), req.params.name!)

/** The writable part of an instance, whose hash is its ETag. */
const etagSource = (i: db.InstanceRecord) => [
  i.architecture,
  i.config,
  i.devices,
  i.ephemeral,
  i.profiles,
  i.description,
]

function stringList(body: Record<string, unknown>, field: string): string[] | undefined {
  const v = body[field]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw badRequest(`Invalid value for field "${field}": must be a list of strings`)
  return v as string[]
}

function boolField(body: Record<string, unknown>, field: string): boolean {
  const v = body[field]
  if (v === undefined || v === null) return false
  if (typeof v !== 'boolean') throw badRequest(`Invalid value for field "${field}": must be a boolean`)
  return v
}

function parseCreate(body: Record<string, unknown>): CreateRequest {
  const name = stringField(body, 'name') || randomInstanceName()
  validateInstanceName(name)
  const type = stringField(body, 'type')
  if (type !== '' && type !== 'container')
    throw badRequest(`Instance type "${type}" is not supported (only containers)`)
  const source = body.source
  if (source === null || typeof source !== 'object' || Array.isArray(source))
    throw badRequest('Missing or invalid "source"')
  const src = source as Record<string, unknown>
  const srcType = stringField(src, 'type')
  if (srcType !== 'image') throw badRequest(`Source type "${srcType}" is not supported (only "image")`)
  const remote = stringField(src, 'server') ? parseRemoteSource(src) : undefined
  const image = stringField(src, 'fingerprint') || stringField(src, 'alias')
  if (!image) throw badRequest('Image source needs an alias or a fingerprint')
  return {
    ...(remote ? { remote } : {}),
    name,
    description: stringField(body, 'description'),
    config: stringMapField(body, 'config'),
    devices: devicesField(body),
    profiles: stringList(body, 'profiles') ?? ['default'],
    ephemeral: boolField(body, 'ephemeral'),
    image,
  }
}

function parseContent(
  body: Record<string, unknown>,
  current: db.InstanceRecord,
  merge: boolean,
): db.InstanceContent {
  const config = stringMapField(body, 'config')
  const devices = devicesField(body)
  const profiles = stringList(body, 'profiles')
  return {
    description: stringField(body, 'description', merge ? current.description : ''),
    ephemeral: body.ephemeral === undefined ? current.ephemeral : boolField(body, 'ephemeral'),
    config: merge ? { ...current.config, ...config } : config,
    devices: merge ? { ...current.devices, ...devices } : devices,
    profiles: profiles ?? (merge ? current.profiles : []),
  }
}

async function update(req: ApiRequest, merge: boolean) {
  const inst = load(req)
  checkEtag(req.headers, etagSource(inst))
  const body = asObject(await req.json())
  // lxc sends `instance/snapshot`; the bare snapshot name is accepted too.
  const restore = stringField(body, 'restore').split('/').pop() ?? ''
  if (restore && !merge) {
    const snap = getSnapshot(req.state.db, inst.id, restore)
    return async(
      instanceOperation(req, { name: inst.name, description: 'Restoring snapshot' }, () =>
        restoreSnapshot(req.state, inst, snap, callerOf(req)),
      ),
    )
  }
  const next = parseContent(body, inst, merge)
  validateUpdate(req.state, inst, next)
  return async(
    instanceOperation(req, { name: inst.name, description: 'Updating instance' }, () =>
      updateInstance(req.state, db.getInstance(req.state.db, inst.project, inst.name), next, callerOf(req)),
    ),
  )
}

/** The instance endpoints. */
export const instanceEndpoints = [
  endpoint('/1.0/instances', {
    get: {
      access: can('view'),
      handler: async (req) => {
        const all = isTrue(req.query.get('all-projects') ?? '')
        // all-projects lists only the projects the caller may see (a restricted certificate's own).
        const list = all
          ? db.listInstances(req.state.db, undefined).filter((i) => inProject(req.identity, i.project))
          : db.listInstances(req.state.db, req.project())
        const level = recursionLevel(req)
        const filter = parseFilter(req.query.get('filter') ?? '')
        if (level === 0 && filter.length === 0)
          return sync(list.map((i) => entityUrl(`/1.0/instances/${i.name}`, i.project)))
        const states = await runtimeStates(req.state, list)
        const rendered =
          level > 1
            ? await Promise.all(list.map((i, n) => toApiInstanceFull(req.state, i, states[n]!)))
            : list.map((i, n) => toApiInstance(req.state, i, states[n]!))
        const kept = rendered.filter((i) => matchesFilter(i, filter))
        return sync(level === 0 ? kept.map((i) => entityUrl(`/1.0/instances/${i.name}`, i.project)) : kept)
      },
    },
    post: {
      access: can('manage-containers'),
      handler: async (req) => {
        const body = asObject(await req.json())
        if (isMigration(body)) return createFromMigration(req, body)
        const create = parseCreate(body)
        if (db.listInstances(req.state.db, req.project()).some((i) => i.name === create.name)) {
          throw badRequest(`Instance "${create.name}" already exists`)
        }
        await validateCreate(req.state, create, callerOf(req))
        return async(
          instanceOperation(req, { name: create.name, description: 'Creating instance' }, async (ctx) => {
            await createInstance(req.state, create, callerOf(req), (text) =>
              ctx.setMetadata({ create_instance_from_image_unpack_progress: text }),
            )
          }),
        )
      },
    },
  }),
  endpoint('/1.0/instances/{name}', {
    get: {
      access: can('view'),
      handler: async (req) => {
        const inst = load(req)
        const run = await runtimeState(req.state, inst)
        const body =
          recursionLevel(req) > 1
            ? await toApiInstanceFull(req.state, inst, run)
            : toApiInstance(req.state, inst, run)
        return sync(body, { etag: etagOf(etagSource(inst)) })
      },
    },
    put: { access: can('manage-containers'), handler: (req) => update(req, false) },
    patch: { access: can('manage-containers'), handler: (req) => update(req, true) },
    post: {
      access: can('manage-containers'),
      handler: async (req) => {
        const inst = load(req)
        const body = asObject(await req.json())
        if (body.migration) return migrationSource(req, inst, body)
        const newName = stringField(body, 'name')
        validateInstanceName(newName)
        return async(
          instanceOperation(
            req,
            { name: inst.name, description: 'Renaming instance', alsoLock: newName },
            () =>
              renameInstance(
                req.state,
                db.getInstance(req.state.db, inst.project, inst.name),
                newName,
                callerOf(req),
              ),
          ),
        )
      },
    },
    delete: {
      access: can('manage-containers'),
      handler: async (req) => {
        const inst = load(req)
        if ((await runtimeState(req.state, inst)).status === 'Running')
          throw badRequest('Instance is running')
        return async(
          instanceOperation(req, { name: inst.name, description: 'Deleting instance' }, () =>
            deleteInstance(req.state, db.getInstance(req.state.db, inst.project, inst.name), callerOf(req)),
          ),
        )
      },
    },
  }),
]
