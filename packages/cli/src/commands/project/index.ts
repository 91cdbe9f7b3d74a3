/** @module `corral project`: the project command group. */
import type { CommandGroup } from '../../command.js'
import { projectEdit, projectGet, projectSet, projectUnset } from './config.js'
import { projectList } from './list.js'
import { projectCreate, projectDelete, projectRename, projectShow, projectSwitch } from './manage.js'

/** `corral project`. */
export const project: CommandGroup = {
  names: ['project'],
  short: 'Manage projects',
  subcommands: [
    projectCreate,
    projectDelete,
    projectEdit,
    projectGet,
    projectList,
    projectRename,
    projectSet,
    projectShow,
    projectSwitch,
    projectUnset,
  ],
}
