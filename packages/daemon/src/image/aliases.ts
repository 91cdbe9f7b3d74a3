/** @module Image aliases: names pointing at an image's fingerprint, per project. */
import type { ImageAliasesEntry, ImageAliasesEntryPut } from '@corral/api'
import { badRequest, notFound } from '@corral/api'
import * as db from '../db/images.js'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import type { State } from '../state.js'
import { getImage, imageProject, type WriteOptions } from './service.js'

/** The wire form of an alias. */
export function toApiAlias(a: db.AliasRecord): ImageAliasesEntry {
  return { name: a.name, description: a.description, target: a.target, type: a.type }
}

/** The writable part of an alias, whose hash is its ETag. */
export function aliasEtagSource(a: db.AliasRecord): unknown {
  return [a.name, a.description, a.target]
}

/** Lists a project's aliases. */
export function listAliases(state: State, project: string): db.AliasRecord[] {
  return db.listAliases(state.db, imageProject(state, project))
}

/** Gets one alias; untrusted callers see only aliases of public images. */
export function getAlias(state: State, project: string, name: string, publicOnly = false): db.AliasRecord {
  const alias = db.findAlias(state.db, imageProject(state, project), name)
  if (!alias) throw notFound('Image alias not found')
  if (publicOnly && !getImage(state, project, alias.target).public) throw notFound('Image alias not found')
  return alias
}

function validateAliasName(name: string): void {
  if (name === '') throw badRequest('Alias name missing')
  if (name.includes('/')) throw badRequest('Alias names may not contain slashes')
  if (name.includes(':')) throw badRequest('Alias names may not contain colons')
}

const aliasUrl = (name: string, project: string) => entityUrl(`/1.0/images/aliases/${name}`, project)

/** Creates an alias for the image `target` (fingerprint or unique prefix). */
export function createAlias(
  state: State,
  name: string,
  content: ImageAliasesEntryPut,
  opts: WriteOptions,
): void {
  validateAliasName(name)
  const image = getImage(state, opts.project, content.target)
  db.createAlias(state.db, image.project, name, image.id, content.description)
  publishLifecycle(state.events, 'image-alias-created', aliasUrl(name, image.project), {
    ...opts,
    project: image.project,
    context: { target: image.fingerprint },
  })
}

/** Replaces an alias's target and description (PATCH merges first). */
export function updateAlias(
  state: State,
  current: db.AliasRecord,
  content: ImageAliasesEntryPut,
  opts: WriteOptions,
): void {
  if (content.target === '') throw badRequest('The target field is required')
  const image = getImage(state, current.project, content.target)
  db.updateAlias(state.db, current.id, image.id, content.description)
  publishLifecycle(state.events, 'image-alias-updated', aliasUrl(current.name, current.project), {
    ...opts,
    project: current.project,
    context: { target: image.fingerprint },
  })
}

/** Renames an alias. */
export function renameAlias(
  state: State,
  current: db.AliasRecord,
  newName: string,
  opts: WriteOptions,
): void {
  validateAliasName(newName)
  db.renameAlias(state.db, current.id, newName)
  publishLifecycle(state.events, 'image-alias-renamed', aliasUrl(newName, current.project), {
    ...opts,
    project: current.project,
    context: { old_name: current.name },
  })
}

/** Deletes an alias. */
export function deleteAlias(state: State, current: db.AliasRecord, opts: WriteOptions): void {
  db.deleteAlias(state.db, current.id)
  publishLifecycle(state.events, 'image-alias-deleted', aliasUrl(current.name, current.project), {
    ...opts,
    project: current.project,
  })
}
