/** @module /1.0/projects: list, get, create, replace, patch, rename, delete. */
import type { Project, ProjectPut, ProjectsPost } from '@corral/api'
import { namedCollection, type NamedCollection } from './collection.js'
import type { Requester } from './requester.js'

/** Project endpoints; these are never scoped by `?project=`. */
export type ProjectsApi = NamedCollection<Project, ProjectPut, ProjectsPost, 'project'>

/** Builds the project endpoints (never scoped by `?project=`). */
export function projectsApi(r: Requester): ProjectsApi {
  return namedCollection<Project, ProjectPut, ProjectsPost, 'project'>(r, 'projects', 'project', {
    project: false,
  })
}
