/** @module /1.0/projects endpoints. */
import { forbidden } from '@corral/api'
import { getProject, listProjects } from '../db/projects.js'
import * as projects from '../project/service.js'
import { inProject } from './access.js'
import { asObject, requiredString, stringField, stringMapField } from './body.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { checkEtag, etagOf } from './etag.js'
import { recursionLevel } from './query.js'
import { created, empty, sync } from './response.js'

const load = (req: ApiRequest) => getProject(req.state.db, req.params.name!)

async function update(req: ApiRequest, merge: boolean) {
  const p = load(req)
  checkEtag(req.headers, projects.projectEtagSource(p))
  const body = asObject(await req.json())
  const config = stringMapField(body, 'config')
  const description = stringField(body, 'description')
  const next = merge
    ? { description: description || p.description, config: { ...p.config, ...config } }
    : { description, config }
  projects.updateProject(req.state, p, next, req.requestor())
  return empty()
}

/** The project endpoints. */
export const projectEndpoints = [
  endpoint('/1.0/projects', {
    get: {
      access: 'authenticated',
      handler: (req) => {
        const list = listProjects(req.state.db).filter((p) => inProject(req.identity, p.name))
        if (recursionLevel(req) > 0) return sync(list.map((p) => projects.toApiProject(req.state, p)))
        return sync(list.map((p) => `/1.0/projects/${p.name}`))
      },
    },
    post: {
      access: 'admin',
      handler: async (req) => {
        const body = asObject(await req.json())
        const name = requiredString(body, 'name', 'No name provided')
        projects.createProject(
          req.state,
          { name, description: stringField(body, 'description'), config: stringMapField(body, 'config') },
          req.requestor(),
        )
        return created(`/1.0/projects/${name}`)
      },
    },
  }),
  endpoint('/1.0/projects/{name}', {
    get: {
      access: 'authenticated',
      handler: (req) => {
        if (!inProject(req.identity, req.params.name!)) throw forbidden()
        const p = load(req)
        return sync(projects.toApiProject(req.state, p), { etag: etagOf(projects.projectEtagSource(p)) })
      },
    },
    put: { access: 'admin', handler: (req) => update(req, false) },
    patch: { access: 'admin', handler: (req) => update(req, true) },
    post: {
      access: 'admin',
      handler: async (req) => {
        const p = load(req)
        const newName = requiredString(asObject(await req.json()), 'name', 'No name provided')
        projects.renameProject(req.state, p, newName, req.requestor())
        return created(`/1.0/projects/${newName}`)
      },
    },
    delete: {
      access: 'admin',
      handler: (req) => {
        projects.deleteProject(req.state, load(req), req.requestor())
        return empty()
      },
    },
  }),
]
