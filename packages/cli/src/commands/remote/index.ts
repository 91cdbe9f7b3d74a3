/** @module `corral remote`: the list of remote servers in config.yml. */
import type { CommandGroup } from '../../command.js'
import { remoteAdd } from './add.js'
import { remoteGenerateCertificate } from './generate-certificate.js'
import { remoteList } from './list.js'
import { remoteGetDefault, remoteRemove, remoteRename, remoteSetUrl, remoteSwitch } from './manage.js'

/** `corral remote`. */
export const remote: CommandGroup = {
  names: ['remote'],
  short: 'Manage the list of remote servers',
  subcommands: [
    remoteAdd,
    remoteGenerateCertificate,
    remoteGetDefault,
    remoteList,
    remoteRemove,
    remoteRename,
    remoteSetUrl,
    remoteSwitch,
  ],
}
