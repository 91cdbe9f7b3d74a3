/** @module Name rules for API entities, with LXD's messages. */
import { badRequest } from '@corral/api'

/** Validates a profile name as LXD does, plus no whitespace or control characters. */
export function validateProfileName(name: string): void {
  if (name === '') throw badRequest('No name provided')
  if (name.includes('/')) throw badRequest('Profile names may not contain slashes')
  if (name === '.' || name === '..') throw badRequest(`Invalid profile name "${name}"`)
  if (/[\s\p{Cc}]/u.test(name))
    throw badRequest(`Invalid profile name "${name}": Name can't contain spaces or control characters`)
  if (name.length > 255)
    throw badRequest(`Invalid profile name "${name.slice(0, 16)}…": Name is longer than 255 characters`)
}

/** Validates a project name as LXD does. */
export function validateProjectName(name: string): void {
  if (name === '') throw badRequest('No name provided')
  if (name.includes('/')) throw badRequest('Project names may not contain slashes')
  if (/[\s\p{Cc}]/u.test(name)) throw badRequest('Project names may not contain spaces')
  if (name.includes('_')) throw badRequest('Project names may not contain underscores')
  if (name.includes("'") || name.includes('"')) throw badRequest('Project names may not contain quotes')
  if (name === '*') throw badRequest('Reserved project name')
  if (name === '.' || name === '..') throw badRequest(`Invalid project name "${name}"`)
  if (name.length > 63)
    throw badRequest(`Invalid project name "${name.slice(0, 16)}…": Name is longer than 63 characters`)
}

/** Validates an instance name as LXD does: a hostname label (letters, digits, hyphens). */
export function validateInstanceName(name: string): void {
  if (name === '') throw badRequest('No name provided')
  if (name.length > 63)
    throw badRequest(`Invalid instance name "${name.slice(0, 16)}…": Name must be 1-63 characters long`)
  if (!/^[A-Za-z0-9-]+$/.test(name))
    throw badRequest(
      `Invalid instance name "${name}": Name can only contain alphanumeric and hyphen characters`,
    )
  if (/^[-0-9]/.test(name))
    throw badRequest(`Invalid instance name "${name}": Name must not start with a digit or hyphen`)
  if (name.endsWith('-')) throw badRequest(`Invalid instance name "${name}": Name must not end with a hyphen`)
}

/** Validates a snapshot name as LXD does. */
export function validateSnapshotName(name: string): void {
  if (name === '') throw badRequest('No name provided')
  if (name.includes('/')) throw badRequest('Snapshot names may not contain slashes')
  if (/[\s\p{Cc}]/u.test(name) || name === '.' || name === '..')
    throw badRequest(`Invalid snapshot name "${name}"`)
}
