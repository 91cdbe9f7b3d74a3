/** @module `corral network`: managed networks and host interfaces, their leases and the NICs on them. */
import type { CommandGroup } from '../../command.js'
import { networkAttach, networkAttachProfile, networkDetach, networkDetachProfile } from './attach.js'
import { networkInfo, networkList, networkListLeases } from './list.js'
import {
  networkCreate,
  networkDelete,
  networkEdit,
  networkGet,
  networkRename,
  networkSet,
  networkShow,
  networkUnset,
} from './manage.js'

/** `corral network`. */
export const network: CommandGroup = {
  names: ['network'],
  short: 'Manage and attach instances to networks',
  subcommands: [
    networkAttach,
    networkAttachProfile,
    networkCreate,
    networkDelete,
    networkDetach,
    networkDetachProfile,
    networkEdit,
    networkGet,
    networkInfo,
    networkList,
    networkListLeases,
    networkRename,
    networkSet,
    networkShow,
    networkUnset,
  ],
}
