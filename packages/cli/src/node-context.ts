/** @module The real Context: unix-socket clients, config.yml on disk, the terminal and $EDITOR. */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { connectUnix, defaultSocketPath, type Client } from '@corral/client'
import { projectOf, type Context, type GlobalFlags } from './context.js'
import { logfmtValue } from './render/pretty.js'
import { processStdio } from './stdio.js'
import { configPath, loadConfig, saveConfig, type ClientConfig } from './remotes/config.js'

/** Builds the Context a real `corral` run uses. */
export function nodeContext(global: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Context {
  const file = configPath(env)
  let cached: Promise<ClientConfig> | undefined
  const config = (): Promise<ClientConfig> => (cached ??= loadConfig(file))
  return {
    global,
    env,
    config,
    async saveConfig(next) {
      cached = Promise.resolve(next)
      await saveConfig(file, next)
    },
    async client(remote?: string): Promise<Client> {
      const cfg = await config()
      const name = remote ?? cfg['default-remote']
      const r = cfg.remotes[name]
      if (!r) throw new Error(`The remote "${name}" doesn't exist`)
      const local = global.forceLocal || r.addr.startsWith('unix:')
      if (!local) throw new Error(`Remote "${name}" (${r.addr}) is not supported yet: only unix sockets are`)
      const custom = !global.forceLocal && r.addr.startsWith('unix://') ? r.addr.slice('unix://'.length) : ''
      const socket = custom || defaultSocketPath(env)
      const debug = global.debug ? debugLine : undefined
      return connectUnix(socket, { project: projectOf(global, cfg, name), debug })
    },
    stdinIsTTY: Boolean(process.stdin.isTTY),
    readStdin,
    edit: (text) => Promise.resolve(runEditor(env, text)),
    pause: (message) => pause(message),
    stdio: processStdio(),
    now: () => new Date(),
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString()
}

function runEditor(env: NodeJS.ProcessEnv, text: string): string {
  const editor = env.VISUAL || env.EDITOR || 'vi'
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral_editor_'))
  const file = path.join(dir, 'edit.yaml')
  try {
    fs.writeFileSync(file, text, { mode: 0o600 })
    const res = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env })
    if (res.error) throw res.error
    if (res.status !== 0) throw new Error(`Editor "${editor}" exited with status ${res.status ?? 'unknown'}`)
    return fs.readFileSync(file, 'utf8')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

function pause(message: string): Promise<void> {
  process.stderr.write(message)
  return new Promise((resolve, reject) => {
    const onEnd = (): void => reject(new Error('Edit aborted'))
    process.stdin.once('end', onEnd)
    process.stdin.resume()
    process.stdin.once('data', () => {
      process.stdin.off('end', onEnd)
      process.stdin.pause()
      resolve()
    })
  })
}

/** Prints a debug message on stderr as a logrus line, as `lxc --debug` does. */
function debugLine(message: string, fields: Record<string, string>): void {
  const time = `${new Date().toISOString().slice(0, 19)}Z`
  const extra = Object.entries(fields)
    .map(([k, v]) => ` ${k}=${logfmtValue(v)}`)
    .join('')
  process.stderr.write(`time="${time}" level=debug msg=${JSON.stringify(message)}${extra}\n`)
}
