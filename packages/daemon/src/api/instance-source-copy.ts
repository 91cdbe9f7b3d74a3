/** @module POST /1.0/instances with source type "copy": a local copy of an instance or a snapshot. */
import { badRequest, notFound } from '@corral/api'
import { entityUrl } from '../events/lifecycle.js'
import { copyInstance, validateCopy, type CopyRequest } from '../instance/copy.js'
import { validateInstanceName, validateSnapshotName } from '../util/names.js'
import { inProject } from './access.js'
import { stringField } from './body.js'
import { boolField, type InstanceSource } from './instance-create.js'
import { callerOf, instanceOperation } from './instance-op.js'
import { async } from './response.js'

/** Copies `source.source` (`name` or `name/snapshot`), from `source.project` when the caller may read it. */
export const copySource: InstanceSource = async (req, common, src) => {
  const path = stringField(src, 'source')
  if (!path) throw badRequest('Must specify a source instance')
  const [instance = '', snapshot, ...rest] = path.split('/')
  if (rest.length > 0) throw badRequest(`Invalid source "${path}"`)
  validateInstanceName(instance)
  if (snapshot !== undefined) validateSnapshotName(snapshot)
  // `live` is what the client sends for a running source; a local copy ignores it, as LXD does.
  if (boolField(src, 'refresh')) throw badRequest('Refreshing an existing copy is not supported')
  const project = stringField(src, 'project') || req.project()
  // Another project's instance is as absent as a missing one to a caller who may not see it.
  if (!inProject(req.identity, project)) throw notFound('Instance not found')
  const request: CopyRequest = {
    ...common,
    source: { project, instance, ...(snapshot !== undefined ? { snapshot } : {}) },
    instanceOnly: boolField(src, 'instance_only') || boolField(src, 'container_only'),
  }
  await validateCopy(req.state, request, callerOf(req))
  const sameProject = project === req.project()
  return async(
    instanceOperation(
      req,
      {
        name: common.name,
        description: 'Creating instance',
        ...(sameProject ? { alsoLock: instance } : {}),
        extraResources: [entityUrl(`/1.0/instances/${instance}`, project)],
      },
      async () => {
        await copyInstance(req.state, request, callerOf(req))
      },
    ),
  )
}
