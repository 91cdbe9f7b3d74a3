/** @module /1.0/warnings: LXD's warnings, admin-only (a restricted certificate gets 403 on every one). */
import * as warnings from '../warning/service.js'
import { asObject, stringField } from './body.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { matchesFilter, parseFilter } from './filter.js'
import { recursionLevel } from './query.js'
import { empty, sync } from './response.js'

/** `?project=` narrows to one project's warnings; without it (or with all-projects) every warning is listed, as LXD. */
function projectFilter(req: ApiRequest): string | undefined {
  const project = req.query.get('project')
  return project && req.query.get('all-projects') !== 'true' ? project : undefined
}

async function update(req: ApiRequest) {
  const uuid = req.params.uuid!
  warnings.getWarning(req.state, uuid)
  const status = stringField(asObject(await req.json()), 'status')
  warnings.setWarningStatus(req.state, uuid, status, req.requestor())
  return empty()
}

/** The warning endpoints. */
export const warningEndpoints = [
  endpoint('/1.0/warnings', {
    get: {
      access: 'admin',
      handler: (req) => {
        const filter = parseFilter(req.query.get('filter') ?? '')
        const list = warnings
          .listWarnings(req.state, projectFilter(req))
          .map(warnings.toApiWarning)
          .filter((w) => matchesFilter(w, filter))
        if (recursionLevel(req) > 0) return sync(list)
        return sync(list.map((w) => `/1.0/warnings/${w.uuid}`))
      },
    },
  }),
  endpoint('/1.0/warnings/{uuid}', {
    get: {
      access: 'admin',
      handler: (req) => sync(warnings.toApiWarning(warnings.getWarning(req.state, req.params.uuid!))),
    },
    put: { access: 'admin', handler: update },
    // LXD treats PATCH as PUT: status is the one writable field.
    patch: { access: 'admin', handler: update },
    delete: {
      access: 'admin',
      handler: (req) => {
        warnings.deleteWarning(req.state, req.params.uuid!, req.requestor())
        return empty()
      },
    },
  }),
]
