/** @module The instance-side top-level commands, in one place for commands/index.ts. */
export { instanceConsole } from './console.js'
export { instanceInit, instanceLaunch } from './create.js'
export { instanceExec } from './exec.js'
export { file } from './file.js'
export { instanceList } from './list.js'
export { instanceDelete, instanceMove, instanceRename } from './manage.js'
export { instanceRestore, instanceSnapshot } from './snapshot.js'
export { instancePause, instanceRestart, instanceStart, instanceStop } from './state.js'
