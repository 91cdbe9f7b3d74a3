/** @module /1.0/instances endpoints: list, create, get, update, rename, delete. */
import { badRequest } from '@corral/api'
import * as db from '../db/instances.js'
import { entityUrl } from '../events/lifecycle.js'
import { deleteInstance, renameInstance, updateInstance, validateUpdate } from '../instance/lifecycle.js'
import { isAlive, runtimeState } from '../instance/container.js'
import { runtimeStates } from '../instance/service.js'
import { toApiInstance, toApiInstanceFull } from '../instance/wire.js'
import { getSnapshot } from '../db/instances.js'
import { restoreSnapshot } from '../instance/snapshots.js'
import { isTrue } from '../config/validate.js'
import { validateInstanceName } from '../util/names.js'
import { asObject, devicesField, stringField, stringList, stringMapField } from './body.js'
import { boolField, parseCommon, sourceOf } from './instance-create.js'
import { importBackupResponse } from './instance-backups.js'
import { instanceSources } from './instance-sources.js'
import { can, inProject } from './access.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { checkEtag, etagOf } from './etag.js'
import { callerOf, instanceOperation } from './instance-op.js'
import { matchesFilter, parseFilter } from './filter.js'
import { recursionLevel } from './query.js'
import { async, sync } from './response.js'
import { migrationSource } from './instance-migration.js'

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
    instanceOperation(req, { name: inst.name, description: 'Updating instance' }, async (ctx) => {
      const pending = await updateInstance(
        req.state,
        db.getInstance(req.state.db, inst.project, inst.name),
        next,
        callerOf(req),
      )
      // Said in the operation's metadata: these changes are stored and take effect at the next start.
      if (pending.config.length + pending.devices.length > 0) ctx.setMetadata({ pending_restart: pending })
    }),
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
        if (/^application\/octet-stream\b/i.test(String(req.headers['content-type'] ?? '')))
          return importBackupResponse(req)
        const body = asObject(await req.json())
        const common = parseCommon(body)
        const source = sourceOf(body)
        const type = stringField(source, 'type')
        const handler = Object.hasOwn(instanceSources, type) ? instanceSources[type] : undefined
        if (!handler)
          throw badRequest(
            `Source type "${type}" is not supported (only ${Object.keys(instanceSources)
              .map((t) => `"${t}"`)
              .join(', ')})`,
          )
        if (db.listInstances(req.state.db, req.project()).some((i) => i.name === common.name)) {
          throw badRequest(`Instance "${common.name}" already exists`)
        }
        return handler(req, common, source, body)
      },
    },
  }),
  endpoint('/1.0/instances/{name}', {
    get: {
      access: can('view'),
      handler: async (req) => {
        const inst = load(req)
        const run = await runtimeState(req.state, inst)
        // As LXD (instance_get_full): any recursion gives the full form, which `lxc info` reads.
        const body =
          recursionLevel(req) > 0
            ? await toApiInstanceFull(req.state, inst, run, true)
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
        if (isAlive(await runtimeState(req.state, inst))) throw badRequest('Instance is running')
        return async(
          instanceOperation(req, { name: inst.name, description: 'Deleting instance' }, () =>
            deleteInstance(req.state, db.getInstance(req.state.db, inst.project, inst.name), callerOf(req)),
          ),
        )
      },
    },
  }),
]
