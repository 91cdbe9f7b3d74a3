/** @module The real Context: unix-socket clients, config.yml on disk, the terminal and $EDITOR. */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Client } from '@corral/client'
import { projectOf, type Context, type GlobalFlags } from './context.js'
import { logfmtValue } from './render/pretty.js'
import { processStdio } from './stdio.js'
import { configDir, configPath, loadConfig, saveConfig, type ClientConfig } from './remotes/config.js'
import { dialAddress, fileRemoteStore } from './remotes/store.js'

/** Builds the Context a real `corral` run uses. */
export function nodeContext(global: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Context {
  const file = configPath(env)
  const dir = configDir(file)
  const remotes = fileRemoteStore(dir, env)
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
      const addr = global.forceLocal ? 'unix://' : r.addr
      const debug = global.debug ? debugLine : undefined
      const project = projectOf(global, cfg, name)
      if (!addr.startsWith('unix:') && !addr.startsWith('https:'))
        throw new Error(`Remote "${name}" has an unsupported address "${addr}"`)
      const serverCert = addr.startsWith('https:') ? await remotes.serverCert(name) : undefined
      return dialAddress(dir, addr, { env, serverCert, authenticate: r.public !== true, project, debug })
    },
    remotes,
    ask: (question) => ask(question),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    readStdin,
    edit: (text) => Promise.resolve(runEditor(env, text)),
    pause: (message) => pause(message),
    stdio: processStdio(),
    now: () => new Date(),
  }
}

/** Lines of stdin read ahead by `ask` (one chunk may hold several answers). */
const pending = { text: '', ended: false }

/** Prints a question and reads one line from stdin (empty at end of input). */
function ask(question: string): Promise<string> {
  process.stdout.write(question)
  const take = (): string | undefined => {
    const nl = pending.text.indexOf('\n')
    if (nl < 0 && !pending.ended) return undefined
    const line = nl < 0 ? pending.text : pending.text.slice(0, nl)
    pending.text = nl < 0 ? '' : pending.text.slice(nl + 1)
    return line.replace(/\r$/, '')
  }
  const ready = take()
  if (ready !== undefined) return Promise.resolve(ready)
  return new Promise((resolve) => {
    const check = (): void => {
      const line = take()
      if (line === undefined) return
      process.stdin.off('data', onData)
      process.stdin.off('end', onEnd)
      process.stdin.pause()
      resolve(line)
    }
    const onData = (chunk: Buffer): void => {
      pending.text += chunk.toString()
      check()
    }
    const onEnd = (): void => {
      pending.ended = true
      check()
    }
    if (process.stdin.readableEnded) return onEnd()
    process.stdin.on('data', onData)
    process.stdin.once('end', onEnd)
    process.stdin.resume()
  })
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
