/** @module POST /1.0/instances with source type "image": create from a local or remote image. */
import { badRequest } from '@corral/api'
import { parseRemoteSource } from '../image/index.js'
import { createInstance, validateCreate } from '../instance/lifecycle.js'
import { stringField } from './body.js'
import type { InstanceSource } from './instance-create.js'
import { callerOf, instanceOperation } from './instance-op.js'
import { async } from './response.js'

/** Creates an instance from an image (copied here first when it names another server). */
export const imageSource: InstanceSource = async (req, common, src) => {
  const remote = stringField(src, 'server') ? parseRemoteSource(src) : undefined
  const image = stringField(src, 'fingerprint') || stringField(src, 'alias')
  if (!image) throw badRequest('Image source needs an alias or a fingerprint')
  const create = { ...common, ...(remote ? { remote } : {}), image }
  await validateCreate(req.state, create, callerOf(req))
  return async(
    instanceOperation(req, { name: create.name, description: 'Creating instance' }, async (ctx) => {
      await createInstance(req.state, create, callerOf(req), (text) =>
        ctx.setMetadata({ create_instance_from_image_unpack_progress: text }),
      )
    }),
  )
}
