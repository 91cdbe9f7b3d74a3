/** @module `corral config trust`: the server's trust store and its tokens. */
import type { CommandGroup } from '../../command.js'
import { trustAdd, trustAddCertificate } from './add.js'
import { trustList, trustListTokens } from './list.js'
import { trustEdit, trustRemove, trustRevokeToken, trustShow } from './manage.js'

/** `corral config trust`. */
export const configTrust: CommandGroup = {
  names: ['trust'],
  short: 'Manage trusted clients',
  subcommands: [
    trustAdd,
    trustAddCertificate,
    trustEdit,
    trustList,
    trustListTokens,
    trustRemove,
    trustRevokeToken,
    trustShow,
  ],
}
