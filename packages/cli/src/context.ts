/** @module What a command handler may use: the client factory, config, stdin and the editor. */
import type { Client } from '@corral/client'
import type { ClientConfig } from './remotes/config.js'
import type { Stdio } from './stdio.js'

/** Flags that apply to every command. */
export interface GlobalFlags {
  project?: string
  debug: boolean
  quiet: boolean
  forceLocal: boolean
}

/** The services a command runs with; tests pass a fake. */
export interface Context {
  /** Global flags as parsed. */
  readonly global: GlobalFlags
  /** Environment variables. */
  readonly env: NodeJS.ProcessEnv
  /** The client config (config.yml). */
  config(): Promise<ClientConfig>
  /** Writes the client config. */
  saveConfig(config: ClientConfig): Promise<void>
  /** A client for a remote (default remote when absent), scoped to the project in use. */
  client(remote?: string): Promise<Client>
  /** True when stdin is a terminal (edit opens the editor only then). */
  readonly stdinIsTTY: boolean
  /** Reads all of stdin. */
  readStdin(): Promise<string>
  /** Opens the user's editor on `text` and returns what was saved. */
  edit(text: string): Promise<string>
  /** Prints a message on stderr and waits for Enter (edit's retry prompt). */
  pause(message: string): Promise<void>
  /** The process's streams and terminal (exec, file transfers, progress). */
  readonly stdio: Stdio
  /** The current time (the support-end warning compares against it). */
  now(): Date
}

/** The project a remote uses: `--project`, else the remote's `project` from config.yml, else default. */
export function projectOf(global: GlobalFlags, config: ClientConfig, remote: string): string {
  return global.project || config.remotes[remote]?.project || 'default'
}
