/**
 * @module The host's resources as GET /1.0/resources reports them: CPUs from /proc/cpuinfo and
 * /sys/devices/system/cpu, memory from /proc/meminfo, disks from /sys/block, network cards from
 * /sys/class/net. Reading is here (the host seam); the parsing is pure and exported for tests.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { machine } from 'node:os'
import { basename, join } from 'node:path'
import type { Resources, ResourcesCPUSocket, ResourcesNetworkCard, ResourcesStorageDisk } from '@corral/api'

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

const readNumber = (path: string): number | undefined => {
  const text = read(path)?.trim()
  return text === undefined || text === '' || Number.isNaN(Number(text)) ? undefined : Number(text)
}

/** One processor block of /proc/cpuinfo, as key/value pairs. */
export function parseCpuinfo(text: string): Record<string, string>[] {
  return text
    .split(/\n\s*\n/)
    .map((block) =>
      Object.fromEntries(
        block
          .split('\n')
          .map((l) => l.split(':'))
          .filter((kv) => kv.length >= 2)
          .map(([k, ...v]) => [k!.trim(), v.join(':').trim()]),
      ),
    )
    .filter((b) => b.processor !== undefined)
}

/** Groups /proc/cpuinfo processors into sockets and cores (`physical id`, `core id`), as LXD reports them. */
export function cpuSockets(
  processors: Record<string, string>[],
  topology: (id: number) => { socket?: number; core?: number; die?: number; online: boolean; mhz?: number },
): ResourcesCPUSocket[] {
  const sockets = new Map<number, ResourcesCPUSocket>()
  for (const p of processors) {
    const id = Number(p.processor)
    const topo = topology(id)
    const socketId = topo.socket ?? Number(p['physical id'] ?? 0)
    const coreId = topo.core ?? Number(p['core id'] ?? id)
    let socket = sockets.get(socketId)
    if (!socket) {
      socket = { socket: socketId, cores: [] }
      if (p['model name']) socket.name = p['model name']
      if (p.vendor_id) socket.vendor = p.vendor_id
      sockets.set(socketId, socket)
    }
    let core = socket.cores.find((c) => c.core === coreId)
    if (!core) {
      core = { core: coreId, die: topo.die ?? 0, threads: [] }
      const mhz = topo.mhz ?? (p['cpu MHz'] ? Math.round(Number(p['cpu MHz'])) : undefined)
      if (mhz) core.frequency = mhz
      socket.cores.push(core)
    }
    core.threads.push({ id, numa_node: 0, thread: core.threads.length, online: topo.online, isolated: false })
  }
  for (const s of sockets.values()) {
    s.cores.sort((a, b) => a.core - b.core)
    const freqs = s.cores.map((c) => c.frequency ?? 0).filter((f) => f > 0)
    if (freqs.length > 0) s.frequency = Math.round(freqs.reduce((a, b) => a + b, 0) / freqs.length)
  }
  return [...sockets.values()].sort((a, b) => a.socket - b.socket)
}

/** /proc/meminfo in bytes, by key. */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const m = /^(\S+):\s+(\d+)(?:\s+kB)?/.exec(line)
    if (m) out[m[1]!] = Number(m[2]) * (line.trim().endsWith('kB') ? 1024 : 1)
  }
  return out
}

/** Memory as LXD counts it: used is total minus free, page cache and buffers. */
export function memoryOf(info: Record<string, number>): Resources['memory'] {
  const total = info.MemTotal ?? 0
  const hugeSize = info.Hugepagesize ?? 0
  const hugeTotal = info.HugePages_Total ?? 0
  return {
    hugepages_total: hugeTotal * hugeSize,
    hugepages_used: (hugeTotal - (info.HugePages_Free ?? 0)) * hugeSize,
    hugepages_size: hugeSize,
    used: total - (info.MemFree ?? 0) - (info.Cached ?? 0) - (info.Buffers ?? 0),
    total,
  }
}

function readCpuTopology(id: number) {
  const dir = `/sys/devices/system/cpu/cpu${id}`
  const online = readNumber(join(dir, 'online'))
  const khz = readNumber(join(dir, 'cpufreq/scaling_cur_freq'))
  return {
    socket: readNumber(join(dir, 'topology/physical_package_id')),
    core: readNumber(join(dir, 'topology/core_id')),
    die: readNumber(join(dir, 'topology/die_id')),
    online: online === undefined ? true : online === 1,
    mhz: khz ? Math.round(khz / 1000) : undefined,
  }
}

/** Physical disks: /sys/block entries backed by a device (no loop, ram or zram devices). */
function readDisks(): ResourcesStorageDisk[] {
  const disks: ResourcesStorageDisk[] = []
  for (const name of readdirSync('/sys/block').sort()) {
    const dir = join('/sys/block', name)
    if (!existsSync(join(dir, 'device')) || /^(loop|ram|zram)/.test(name)) continue
    const sectors = readNumber(join(dir, 'size')) ?? 0
    const partitions = readdirSync(dir)
      .filter((p) => p.startsWith(name) && existsSync(join(dir, p, 'partition')))
      .sort()
      .map((p) => ({
        id: p,
        device: (read(join(dir, p, 'dev')) ?? '').trim(),
        read_only: readNumber(join(dir, p, 'ro')) === 1,
        size: (readNumber(join(dir, p, 'size')) ?? 0) * 512,
        partition: readNumber(join(dir, p, 'partition')) ?? 0,
      }))
    const model = read(join(dir, 'device/model'))?.trim()
    disks.push({
      id: name,
      device: (read(join(dir, 'dev')) ?? '').trim(),
      ...(model ? { model } : {}),
      type: name.startsWith('vd') ? 'virtio' : name.startsWith('nvme') ? 'nvme' : 'scsi',
      read_only: readNumber(join(dir, 'ro')) === 1,
      size: sectors * 512,
      removable: readNumber(join(dir, 'removable')) === 1,
      numa_node: 0,
      block_size: readNumber(join(dir, 'queue/logical_block_size')) ?? 0,
      rpm: 0,
      device_id: '',
      partitions,
    })
  }
  return disks
}

/** Physical network cards: interfaces with a device behind them (no bridges, veths or other virtual links). */
function readNetworkCards(): ResourcesNetworkCard[] {
  const cards: ResourcesNetworkCard[] = []
  for (const name of readdirSync('/sys/class/net').sort()) {
    const dir = join('/sys/class/net', name)
    if (!existsSync(join(dir, 'device'))) continue
    let driver: string | undefined
    let pci: string | undefined
    try {
      driver = basename(readlinkSync(join(dir, 'device/driver')))
    } catch {
      driver = undefined
    }
    try {
      const dev = basename(readlinkSync(join(dir, 'device')))
      if (/^[0-9a-f]{4}:/.test(dev)) pci = dev
    } catch {
      pci = undefined
    }
    cards.push({
      ...(driver ? { driver } : {}),
      numa_node: 0,
      ...(pci ? { pci_address: pci } : {}),
      ports: [
        {
          id: name,
          address: (read(join(dir, 'address')) ?? '').trim(),
          port: 0,
          protocol: 'ethernet',
          auto_negotiation: false,
          link_detected: (read(join(dir, 'operstate')) ?? '').trim() === 'up',
        },
      ],
    })
  }
  return cards
}

/** LXD's architecture names for Node's `os.machine()`. */
const architectures: Record<string, string> = { x86_64: 'x86_64', aarch64: 'aarch64', arm64: 'aarch64' }

/** The host's resources, read now. */
export function readResources(): Resources {
  const processors = parseCpuinfo(read('/proc/cpuinfo') ?? '')
  const sockets = cpuSockets(processors, readCpuTopology)
  const disks = readDisks()
  const cards = readNetworkCards()
  return {
    cpu: { architecture: architectures[machine()] ?? machine(), sockets, total: processors.length },
    memory: memoryOf(parseMeminfo(read('/proc/meminfo') ?? '')),
    gpu: { cards: [], total: 0 },
    network: { cards, total: cards.length },
    storage: { disks, total: disks.length },
    usb: { devices: [], total: 0 },
    pci: { devices: [], total: 0 },
    system: {},
  }
}
