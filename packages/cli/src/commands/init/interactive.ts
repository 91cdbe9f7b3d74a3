/** @module Interactive `init`: LXD's questions (storage pool, bridge and its addresses, network access). */
import { createInterface } from 'node:readline'
import type { Client } from '@corral/client'
import type { Context } from '../../context.js'
import { initDrivers, listenAddress } from './auto.js'
import { emptyPreseed, preseedYaml, type Preseed } from './preseed.js'

/** lxd's question helpers (shared/cmd/ask.go) over the context's stdin and stdout. */
export class Asker {
  private readonly lines: AsyncIterator<string>
  private readonly close: () => void
  constructor(private readonly ctx: Context) {
    const rl = createInterface({ input: ctx.stdio.stdin, terminal: false })
    this.lines = rl[Symbol.asyncIterator]()
    this.close = () => rl.close()
  }

  /** Prints a line of the dialogue on stdout. */
  say(text: string): void {
    this.ctx.stdio.out(text)
  }

  /** Stops reading stdin. */
  done(): void {
    this.close()
  }

  private async answer(question: string, defaultAnswer: string): Promise<string> {
    this.ctx.stdio.out(question)
    const next = await this.lines.next()
    if (next.done) throw new Error('EOF')
    return next.value.trim() || defaultAnswer
  }

  private invalid(message = 'Invalid input, try again.'): void {
    this.ctx.stdio.err(`${message}\n\n`)
  }

  /** yes/y or no/n (any case); the default when empty. */
  async bool(question: string, defaultAnswer: string): Promise<boolean> {
    for (;;) {
      const a = (await this.answer(question, defaultAnswer)).toLowerCase()
      if (a === 'yes' || a === 'y') return true
      if (a === 'no' || a === 'n') return false
      this.invalid()
    }
  }

  /** One of `choices`. */
  async choice(question: string, choices: readonly string[], defaultAnswer: string): Promise<string> {
    for (;;) {
      const a = await this.answer(question, defaultAnswer)
      if (choices.includes(a)) return a
      this.invalid()
    }
  }

  /** A string, checked by `validate` (its error is shown as `Invalid input: ...`); non-empty without one. */
  async string(
    question: string,
    defaultAnswer: string,
    validate?: (v: string) => string | undefined,
  ): Promise<string> {
    for (;;) {
      const a = await this.answer(question, defaultAnswer)
      if (validate) {
        const err = validate(a)
        if (err === undefined) return a
        this.invalid(`Invalid input: ${err}`)
        continue
      }
      if (a !== '') return a
      this.invalid()
    }
  }

  /** An integer in [min, max]. */
  async int(question: string, min: number, max: number, defaultAnswer: string): Promise<number> {
    for (;;) {
      const a = await this.answer(question, defaultAnswer)
      if (!/^[+-]?\d+$/.test(a)) {
        this.invalid(`Invalid input: strconv.ParseInt: parsing "${a}": invalid syntax`)
        continue
      }
      const n = Number(a)
      if (n >= min && n <= max) return n
      this.invalid('Invalid input: out of range')
    }
  }
}

const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/
const isIPv4 = (s: string): boolean => ipv4.test(s)
const isIPv6 = (s: string): boolean => s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s) && !s.includes(':::')

/** `auto`, `none` or an address in CIDR notation of the family (LXD's IsNetworkAddressCIDRV4/V6). */
export function cidrCheck(family: 4 | 6): (v: string) => string | undefined {
  return (v) => {
    if (v === 'auto' || v === 'none' || v === '') return undefined
    const [ip, bits, extra] = v.split('/')
    const max = family === 4 ? 32 : 128
    if (extra !== undefined || bits === undefined || !/^\d+$/.test(bits) || Number(bits) > max)
      return `Not an IPv${family} network address "${v}"`
    if (family === 4 ? !isIPv4(ip!) : !isIPv6(ip!)) return `Not an IPv${family} address "${ip!}"`
    return undefined
  }
}

/** An interface name Linux accepts (LXD's ValidNetworkName for bridges). */
export function bridgeNameCheck(name: string): string | undefined {
  if (name === '') return 'Network interface is empty'
  if (name.length > 15) return 'Network interface is too long'
  if (name === '.' || name === '..') return `Network interface "${name}" is invalid`
  if (/[/:\s]/.test(name)) return `Network interface "${name}" contains invalid characters`
  return undefined
}

async function exists(p: Promise<unknown>): Promise<boolean> {
  return p.then(
    () => true,
    () => false,
  )
}

async function askStorage(
  a: Asker,
  client: Client,
  seed: Preseed,
  devices: Record<string, Record<string, string>>,
) {
  if (!(await a.bool('Do you want to configure a new storage pool? (yes/no) [default=yes]: ', 'yes'))) return
  for (;;) {
    const name = await a.string('Name of the new storage pool [default=default]: ', 'default')
    if (await exists(client.storagePools.get(name))) {
      a.say(`The requested storage pool "${name}" already exists. Please choose another name.\n`)
      continue
    }
    devices.root ??= { type: 'disk', path: '/', pool: name }
    const driver = await a.choice(
      `Name of the storage backend to use (${initDrivers.join(', ')}) [default=dir]: `,
      initDrivers,
      'dir',
    )
    seed.storage_pools.push({ name, driver, config: {}, description: '' })
    return
  }
}

async function askNetworking(
  a: Asker,
  client: Client,
  seed: Preseed,
  devices: Record<string, Record<string, string>>,
): Promise<void> {
  const out = (t: string): void => a.say(t)
  if (
    !(await a.bool('Would you like to create a new local network bridge? (yes/no) [default=yes]: ', 'yes'))
  ) {
    const existing = await a.bool(
      'Would you like to configure Corral to use an existing bridge or host interface? (yes/no) [default=no]: ',
      'no',
    )
    if (!existing) return
    for (;;) {
      const name = await a.string('Name of the existing bridge or host interface: ', '')
      const found = await client.networks.get(name).catch(() => undefined)
      if (!found) {
        out("The requested interface doesn't exist. Please choose another one.\n")
        continue
      }
      const nictype = found.network.type === 'bridge' ? 'bridged' : 'macvlan'
      devices.eth0 = { type: 'nic', nictype, name: 'eth0', parent: name }
      return
    }
  }
  for (;;) {
    const name = await a.string(
      'What should the new bridge be called? [default=corralbr0]: ',
      'corralbr0',
      bridgeNameCheck,
    )
    if (await exists(client.networks.get(name))) {
      out(`The requested network bridge "${name}" already exists. Please choose another name.\n`)
      continue
    }
    devices.eth0 = { type: 'nic', name: 'eth0', network: name }
    const config: Record<string, string> = {}
    for (const family of [4, 6] as const) {
      config[`ipv${family}.address`] = await a.string(
        `What IPv${family} address should be used? (CIDR subnet notation, “auto” or “none”) [default=auto]: `,
        'auto',
        cidrCheck(family),
      )
      if (!['auto', 'none'].includes(config[`ipv${family}.address`]!)) {
        const nat = await a.bool(
          `Would you like Corral to NAT IPv${family} traffic on your bridge? [default=yes]: `,
          'yes',
        )
        config[`ipv${family}.nat`] = String(nat)
      }
    }
    seed.networks.push({ name, type: '', description: '', config, project: 'default' })
    return
  }
}

async function askDaemon(a: Asker, seed: Preseed): Promise<void> {
  if (
    !(await a.bool(
      'Would you like the Corral server to be available over the network? (yes/no) [default=no]: ',
      'no',
    ))
  )
    return
  const address = await a.string(
    'Address to bind Corral to (not including port) [default=all]: ',
    'all',
    (s) => (s === 'all' || isIPv4(s) || isIPv6(s) ? undefined : `"${s}" is not an IP address`),
  )
  const port = await a.int('Port to bind Corral to [default=8443]: ', 1, 65535, '8443')
  seed.config['core.https_address'] = listenAddress(address === 'all' ? '::' : address, port)
}

/** Asks lxd init's questions and returns the preseed they describe (printed as YAML when asked). */
export async function interactivePreseed(ctx: Context, client: Client): Promise<Preseed> {
  const a = new Asker(ctx)
  try {
    const seed = emptyPreseed()
    const devices: Record<string, Record<string, string>> = {}
    await askStorage(a, client, seed, devices)
    await askNetworking(a, client, seed, devices)
    await askDaemon(a, seed)
    seed.profiles.push({ name: 'default', description: '', config: {}, devices })
    if (
      await a.bool('Would you like a YAML "corral init" preseed to be printed? (yes/no) [default=no]: ', 'no')
    )
      ctx.stdio.out(`${preseedYaml(seed)}\n`)
    return seed
  } finally {
    a.done()
  }
}
