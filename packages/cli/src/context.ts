/** @module What a command handler may use: the client factory, config, stdin and the editor. */
import type { Client, ServerCertificate } from '@corral/client'
import type { ClientConfig } from './remotes/config.js'
import type { Stdio } from './stdio.js'

/** Flags that apply to every command. */
export interface GlobalFlags {
  project?: string
  debug: boolean
  quiet: boolean
  forceLocal: boolean
}

/** How `remote add` reaches a server that is not (yet) a remote. */
export interface DialOptions {
  /** The server certificate (PEM) to pin; absent: the system CAs decide. */
  serverCert?: string
  /** Present the client certificate (not for public image servers). */
  authenticate: boolean
}

/** Certificates on disk and connections by URL: what remote management needs besides config.yml. */
export interface RemoteStore {
  /** Fetches a server's certificate without trusting it. */
  fetchCertificate(url: string): Promise<ServerCertificate>
  /** The pinned certificate of a remote (`servercerts/<remote>.crt`), if any. */
  serverCert(remote: string): Promise<string | undefined>
  /** Pins a remote's server certificate. */
  pinServerCert(remote: string, pem: string): Promise<void>
  /** Removes a remote's pinned certificate, if any. */
  unpinServerCert(remote: string): Promise<void>
  /** Moves a pinned certificate to another remote name, if there is one. */
  renameServerCert(from: string, to: string): Promise<void>
  /** Creates the client certificate when it is missing; true when it was just created. */
  ensureClientCertificate(): Promise<boolean>
  /** Connects to a `unix://` or `https://` address that is not a saved remote. */
  dial(addr: string, opts: DialOptions): Promise<Client>
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
  /** Pinned server certificates, the client certificate and connections by address. */
  readonly remotes: RemoteStore
  /** Prints a question on stdout and reads one line of stdin (without its newline; empty at EOF). */
  ask(question: string): Promise<string>
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
