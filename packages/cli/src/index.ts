/** @module @corral/cli: the `corral` entry point, its command list and renderers (for tests and tools). */
export { main, commanderMessage, type ContextFactory, type Io } from './main.js'
export { commands } from './commands/index.js'
export type { CommandDefinition, CommandGroup, FlagDef, FlagValues } from './command.js'
export { UsageError, parseKeyValues, parseSetArgs } from './command.js'
export { projectOf, type Context, type GlobalFlags } from './context.js'
export { nodeContext } from './node-context.js'
export { clientVersion } from './version.js'
export { render, type Result, type Rendered } from './render/result.js'
export { toYaml, goFloat } from './render/yaml.js'
export { scalarStyle, resolvesToString } from './render/yaml-scalar.js'
export { goJson } from './render/json.js'
export { renderTable, renderCompact, renderCsv, naturalCompare } from './render/table.js'
export { renderList, type ListData } from './render/format.js'
export { struct, GoTime, goKeyLess, goSortKeys } from './render/go-value.js'
export { profileShape, projectShape, operationShape, serverShape } from './render/shapes.js'
export { prettyEvent, goFmt, logfmtValue } from './render/pretty.js'
export { renderEvent, eventLines } from './commands/monitor.js'
export { renderQuery, queryBody } from './commands/query.js'
export { createdColumn } from './commands/operation.js'
export { auditExitCode, renderFindings, wrapText } from './commands/security.js'
export { warningShape } from './commands/warning.js'
export { supportEndTime } from './commands/info.js'
export {
  configPath,
  loadConfig,
  saveConfig,
  defaultConfig,
  splitRemote,
  type ClientConfig,
} from './remotes/config.js'
export { leafHelp, groupHelp } from './help.js'
export { Progress, processStdio, type Stdio } from './stdio.js'
export { buildUpload } from './commands/image/import.js'
export { instanceInfoText } from './commands/instance/info.js'
export { byteSizeIEC, localTime, imageDate } from './render/units.js'
