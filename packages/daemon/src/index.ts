/** @module @corral/daemon: start a daemon in-process (tests, tools). */
export { startDaemon, pathsFor, type Daemon, type DaemonOptions } from './daemon.js'
export { release, isPastSupportEnd } from './version.js'
