/** @module /1.0/projects: list, get, create, replace, patch, rename, delete. */
import type { Project, ProjectPut, ProjectsPost } from '@corral/api'
import { collection } from './collection.js'
import type { Requester } from './requester.js'

/** Project endpoints; these are never scoped by `?project=`. */
export interface ProjectsApi {
  /** GET /1.0/projects?recursion=1. */
  list(): Promise<Project[]>
  /** GET /1.0/projects/{name}, with its ETag. */
  get(name: string): Promise<{ project: Project; etag?: string }>
  /** POST /1.0/projects. */
  create(body: ProjectsPost): Promise<void>
  /** PUT /1.0/projects/{name} (If-Match when an ETag is given). */
  put(name: string, body: ProjectPut, etag?: string): Promise<void>
  /** PATCH /1.0/projects/{name}. */
  patch(name: string, body: Partial<ProjectPut>, etag?: string): Promise<void>
  /** POST /1.0/projects/{name} with the new name. */
  rename(name: string, newName: string): Promise<void>
  /** DELETE /1.0/projects/{name}. */
  delete(name: string): Promise<void>
}

/** Builds the project endpoints (never scoped by `?project=`). */
export function projectsApi(r: Requester): ProjectsApi {
  const common = collection<Project, ProjectPut, ProjectsPost>(r, 'projects', {
    project: false,
  })
  return {
    ...common,
    async get(name) {
      const { metadata, etag } = await common.fetch(name)
      return { project: metadata, etag }
    },
  }
}
