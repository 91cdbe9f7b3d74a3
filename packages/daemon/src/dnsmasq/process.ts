/** @module A bridge's dnsmasq: started, supervised (restarted when it dies), reloaded and stopped. */
import type { ChildProcess } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { Logger } from '../log.js'
import { processCmdline } from '../host/proc.js'

/** How to start the process (the host seam's spawn). */
export type Spawner = (cmd: string, args: readonly string[]) => ChildProcess

const startTimeoutMs = 10_000
const restartDelayMs = 500

/** Ends a dnsmasq left by an earlier daemon for this bridge (its pid file, checked against /proc). */
export function killStale(pidFile: string, bridge: string): void {
  let pid: number
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim())
  } catch {
    return
  }
  try {
    const cmdline = processCmdline(pid) ?? []
    if (cmdline[0]?.endsWith('dnsmasq') && cmdline.includes(`--interface=${bridge}`))
      process.kill(pid, 'SIGKILL')
  } catch {
    // Gone already.
  }
  rmSync(pidFile, { force: true })
}

/** One supervised dnsmasq. */
export class DnsmasqProcess {
  private child: ChildProcess | undefined
  private supervising = false
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly bridge: string,
    private readonly args: readonly string[],
    private readonly pidFile: string,
    private readonly spawn: Spawner,
    private readonly log: Logger,
  ) {}

  /** Starts dnsmasq; resolves once it reports it started, rejects with its own words if it exits first. */
  async start(): Promise<void> {
    killStale(this.pidFile, this.bridge)
    this.child = await this.launch()
    this.supervising = true
  }

  /** Re-reads the hosts directory (static leases) without a restart. */
  reload(): void {
    this.child?.kill('SIGHUP')
  }

  /** Stops supervising and ends the process. */
  async stop(): Promise<void> {
    this.supervising = false
    clearTimeout(this.timer)
    const child = this.child
    this.child = undefined
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    rmSync(this.pidFile, { force: true })
  }

  /** Stops supervising but leaves dnsmasq serving (daemon shutdown: instances keep their DHCP). */
  detach(): void {
    this.supervising = false
    clearTimeout(this.timer)
    this.child?.stderr?.destroy()
    this.child?.unref()
    this.child = undefined
  }

  /** The running process id, if any. */
  get pid(): number | undefined {
    return this.child?.pid
  }

  private launch(): Promise<ChildProcess> {
    return new Promise((resolve, reject) => {
      const child = this.spawn('dnsmasq', this.args)
      let text = ''
      let started = false
      const timeout = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`dnsmasq for "${this.bridge}" did not start within ${startTimeoutMs / 1000}s`))
      }, startTimeoutMs)
      child.stderr?.setEncoding('utf8')
      child.stderr?.on('data', (chunk: string) => {
        if (started) return
        text += chunk
        if (/started, version/.test(text)) {
          started = true
          clearTimeout(timeout)
          writeFileSync(this.pidFile, `${child.pid ?? ''}\n`)
          resolve(child)
        }
      })
      child.once('error', (err) => {
        clearTimeout(timeout)
        reject(err)
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timeout)
        if (!started) {
          const reason = text
            .split('\n')
            .filter((l) => /dnsmasq/.test(l) && !/started/.test(l))
            .pop()
          reject(
            new Error(
              `dnsmasq for "${this.bridge}" failed: ${reason?.replace(/^dnsmasq: /, '') || `exit ${code ?? signal}`}`,
            ),
          )
          return
        }
        if (this.child === child) this.onDeath(code, signal)
      })
    })
  }

  private onDeath(code: number | null, signal: NodeJS.Signals | null): void {
    this.child = undefined
    if (!this.supervising) return
    this.log.warn('dnsmasq exited; restarting it', { network: this.bridge, code: String(code ?? signal) })
    this.timer = setTimeout(() => {
      this.launch()
        .then((child) => {
          if (this.supervising) this.child = child
          else child.kill('SIGTERM')
        })
        .catch((err: unknown) => {
          this.log.error('dnsmasq restart failed', { network: this.bridge, err: String(err) })
          if (this.supervising) this.onDeath(null, null)
        })
    }, restartDelayMs)
    this.timer.unref()
  }
}
