/** @module The endpoints every named collection shares (profiles, projects, networks, storage pools). */
import type { Requester, RequestOptions } from './requester.js'

/** List, fetch, create, replace, patch, rename and delete of `/1.0/<collection>/{name}`. */
export interface Collection<T, Put, Post> {
  /** GET /1.0/<collection>?recursion=1. */
  list(): Promise<T[]>
  /** GET /1.0/<collection>/{name}, with its ETag. */
  fetch(name: string): Promise<{ metadata: T; etag?: string }>
  /** POST /1.0/<collection>. */
  create(body: Post): Promise<void>
  /** PUT /1.0/<collection>/{name} (If-Match when an ETag is given). */
  put(name: string, body: Put, etag?: string): Promise<void>
  /** PATCH /1.0/<collection>/{name}. */
  patch(name: string, body: Partial<Put>, etag?: string): Promise<void>
  /** POST /1.0/<collection>/{name} with the new name. */
  rename(name: string, newName: string): Promise<void>
  /** DELETE /1.0/<collection>/{name}. */
  delete(name: string): Promise<void>
  /** The path of one member, for its sub-resources. */
  readonly path: (name: string) => string
}

/** Builds a collection's endpoints on `/1.0/<collection>`; `opts` apply to every call (projects are unscoped). */
export function collection<T, Put, Post>(
  r: Requester,
  name: string,
  opts: RequestOptions = {},
): Collection<T, Put, Post> {
  const base = `/1.0/${name}`
  const path = (member: string): string => `${base}/${encodeURIComponent(member)}`
  return {
    path,
    async list() {
      return (await r.call<T[]>('GET', `${base}?recursion=1`, undefined, opts)).metadata ?? []
    },
    fetch: (member) => r.call<T>('GET', path(member), undefined, opts),
    async create(body) {
      await r.call('POST', base, body, opts)
    },
    async put(member, body, etag) {
      await r.call('PUT', path(member), body, { ...opts, etag })
    },
    async patch(member, body, etag) {
      await r.call('PATCH', path(member), body, { ...opts, etag })
    },
    async rename(member, newName) {
      await r.call('POST', path(member), { name: newName }, opts)
    },
    async delete(member) {
      await r.call('DELETE', path(member), undefined, opts)
    },
  }
}

/** A collection as its API shows it: `get` returns the member under `key` (`{ profile, etag }`). */
export type NamedCollection<T, Put, Post, K extends string> = Omit<
  Collection<T, Put, Post>,
  'fetch' | 'path'
> & {
  /** GET /1.0/<collection>/{name}, with its ETag. */
  get(name: string): Promise<{ [P in K]: T } & { etag?: string }>
}

/** Builds `collection()` plus a `get` that names the member `key`; `path` stays for sub-resources. */
export function namedCollection<T, Put, Post, K extends string>(
  r: Requester,
  name: string,
  key: K,
  opts: RequestOptions = {},
): Collection<T, Put, Post> & NamedCollection<T, Put, Post, K> {
  const common = collection<T, Put, Post>(r, name, opts)
  return {
    ...common,
    async get(member) {
      const { metadata, etag } = await common.fetch(member)
      return { [key]: metadata, etag } as { [P in K]: T } & { etag?: string }
    },
  }
}
