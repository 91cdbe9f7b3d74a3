/** @module The backups of an instance, as the full instance form and GET .../backups list them. */
import type { InstanceBackup } from '@corral/api'
import type { InstanceRecord } from '../db/instances.js'
import type { State } from '../state.js'

/**
 * The instance's backups, oldest first. Corral has no backup store yet (export and import land
 * with it), so no backup can exist and the list is empty; the backup store replaces this body
 * with its own listing, and every caller (the full form, the list endpoint) follows.
 */
export function listInstanceBackups(
  _state: State,
  _inst: Pick<InstanceRecord, 'id' | 'project' | 'name'>,
): InstanceBackup[] {
  return []
}
