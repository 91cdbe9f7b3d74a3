/** @module `corral profile`: the profile command group. */
import type { CommandGroup } from '../../command.js'
import { profileEdit, profileGet, profileSet, profileUnset } from './config.js'
import { profileAdd, profileAssign, profileRemove } from '../instance/profiles.js'
import { profileDevice } from './device.js'
import { profileList } from './list.js'
import { profileCopy, profileCreate, profileDelete, profileRename, profileShow } from './manage.js'

/** `corral profile`. */
export const profile: CommandGroup = {
  names: ['profile'],
  short: 'Manage profiles',
  subcommands: [
    profileAdd,
    profileAssign,
    profileCopy,
    profileCreate,
    profileDelete,
    profileDevice,
    profileEdit,
    profileGet,
    profileList,
    profileRemove,
    profileRename,
    profileSet,
    profileShow,
    profileUnset,
  ],
}
