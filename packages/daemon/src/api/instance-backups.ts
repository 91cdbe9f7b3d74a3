/** @module /1.0/instances/{name}/backups endpoints and backup import (POST /1.0/instances with a tarball). */
import { badRequest } from '@corral/api'
import type { ApiRequest } from './endpoint.js'
import type { ApiResponse } from './response.js'

/** Imports a backup tarball sent as the body of POST /1.0/instances. */
export function importBackupResponse(_req: ApiRequest): Promise<ApiResponse> {
  return Promise.reject(badRequest('Importing instance backups is not supported yet'))
}
