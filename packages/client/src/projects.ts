/** @module /1.0/projects: list, get, create, replace, patch, rename, delete. */
import type { Project, ProjectPut, ProjectsPost } from '@corral/api'
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

const path = (name: string): string => `/1.0/projects/${encodeURIComponent(name)}`
const unscoped = { project: false }

/** Builds the project endpoints. */
export function projectsApi(r: Requester): ProjectsApi {
  return {
    async list() {
      return (await r.call<Project[]>('GET', '/1.0/projects?recursion=1', undefined, unscoped)).metadata ?? []
    },
    async get(name) {
      const { metadata, etag } = await r.call<Project>('GET', path(name), undefined, unscoped)
      return { project: metadata, etag }
    },
    async create(body) {
      await r.call('POST', '/1.0/projects', body, unscoped)
    },
    async put(name, body, etag) {
      await r.call('PUT', path(name), body, { etag, project: false })
    },
    async patch(name, body, etag) {
      await r.call('PATCH', path(name), body, { etag, project: false })
    },
    async rename(name, newName) {
      await r.call('POST', path(name), { name: newName }, unscoped)
    },
    async delete(name) {
      await r.call('DELETE', path(name), undefined, unscoped)
    },
  }
}
