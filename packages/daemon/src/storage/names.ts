/** @module Storage pool name rules, with LXD's messages. */
import { badRequest } from '@corral/api'

/** Validates a storage pool name as LXD does, plus no whitespace, control characters or dot names. */
export function validatePoolName(name: string): void {
  if (name === '') throw badRequest('No name provided')
  if (name.includes('/')) throw badRequest('Storage pool names may not contain slashes')
  if (name === '.' || name === '..' || name.startsWith('.'))
    throw badRequest(`Invalid storage pool name "${name}"`)
  if (/[\s\p{Cc}]/u.test(name))
    throw badRequest(`Invalid storage pool name "${name}": Name can't contain spaces or control characters`)
  if (name.length > 63)
    throw badRequest(`Invalid storage pool name "${name.slice(0, 16)}…": Name is longer than 63 characters`)
}
