/** @module THE list of corral's top-level commands. */
import type { CommandDefinition, CommandGroup } from '../command.js'
import { admin } from './admin.js'
import { config } from './config.js'
import { image } from './image/index.js'
import { info } from './info.js'
import * as instance from './instance/index.js'
import { monitor } from './monitor.js'
import { network } from './network/index.js'
import { operation } from './operation.js'
import { profile } from './profile/index.js'
import { project } from './project/index.js'
import { query } from './query.js'
import { remote } from './remote/index.js'
import { security } from './security.js'
import { storage } from './storage/index.js'
import { version } from './version.js'
import { warning } from './warning.js'

/** Every top-level command, in the order help lists them (alphabetical, as lxc). */
export const commands: readonly (CommandDefinition | CommandGroup)[] = [
  admin,
  config,
  instance.instanceConsole,
  instance.instanceDelete,
  instance.instanceExec,
  instance.file,
  image,
  info,
  instance.instanceInit,
  instance.instanceLaunch,
  instance.instanceList,
  monitor,
  instance.instanceMove,
  network,
  operation,
  instance.instancePause,
  profile,
  project,
  query,
  remote,
  instance.instanceRename,
  instance.instanceRestart,
  instance.instanceRestore,
  security,
  instance.instanceSnapshot,
  instance.instanceStart,
  instance.instanceStop,
  storage,
  version,
  warning,
]
