/** @module `corral image` and `corral image alias`. */
import type { CommandGroup } from '../../command.js'
import { imageCopy } from './copy.js'
import { imageImport } from './import.js'
import { imageAliasList, imageList } from './list.js'
import {
  imageAliasCreate,
  imageAliasDelete,
  imageAliasRename,
  imageDelete,
  imageEdit,
  imageExport,
  imageInfo,
  imageShow,
} from './manage.js'

/** `corral image alias`. */
export const imageAlias: CommandGroup = {
  names: ['alias'],
  short: 'Manage image aliases',
  subcommands: [imageAliasCreate, imageAliasDelete, imageAliasList, imageAliasRename],
}

/** `corral image`. */
export const image: CommandGroup = {
  names: ['image'],
  short: 'Manage images',
  subcommands: [
    imageAlias,
    imageCopy,
    imageDelete,
    imageEdit,
    imageExport,
    imageImport,
    imageInfo,
    imageList,
    imageShow,
  ],
}
