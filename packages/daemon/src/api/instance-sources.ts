/** @module The source types of POST /1.0/instances: one handler per `source.type`, one line each. */
import type { InstanceSource } from './instance-create.js'
import { copySource } from './instance-source-copy.js'
import { imageSource } from './instance-source-image.js'
import { createFromMigration } from './instance-migration.js'

/** Source type → handler; a new source type is one more entry here. */
export const instanceSources: Readonly<Record<string, InstanceSource>> = {
  image: imageSource,
  copy: copySource,
  migration: (req, _common, _source, body) => createFromMigration(req, body),
}
