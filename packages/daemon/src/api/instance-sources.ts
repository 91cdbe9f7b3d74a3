/** @module The source types of POST /1.0/instances: one handler per `source.type`, one line each. */
import type { InstanceSource } from './instance-create.js'
import { copySource } from './instance-source-copy.js'
import { imageSource } from './instance-source-image.js'

/** Source type → handler; a new source type (say "migration") is one more entry here. */
export const instanceSources: Readonly<Record<string, InstanceSource>> = {
  image: imageSource,
  copy: copySource,
}
