/** @module THE list of corral's top-level commands. */
import type { CommandDefinition, CommandGroup } from '../command.js'
import { config } from './config.js'
import { info } from './info.js'
import { monitor } from './monitor.js'
import { operation } from './operation.js'
import { profile } from './profile/index.js'
import { project } from './project/index.js'
import { query } from './query.js'
import { version } from './version.js'

/** Every top-level command, in the order help lists them (alphabetical, as lxc). */
export const commands: readonly (CommandDefinition | CommandGroup)[] = [
  config,
  info,
  monitor,
  operation,
  profile,
  project,
  query,
  version,
]
