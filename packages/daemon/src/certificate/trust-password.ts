/** @module core.trust_password as LXD 5.0.2 has it: kept only as a salted scrypt hash, checked in constant time, rate-limited per address. */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { ApiError } from '@corral/api'

/** The server key. */
export const trustPasswordKey = 'core.trust_password'

// scrypt's cost as LXD uses it (N=2^14, r=8, p=1, 64 bytes): tens of milliseconds a guess.
const cost = { N: 1 << 14, r: 8, p: 1 }
const keyLength = 64

function derive(password: string, salt: Buffer, params: typeof cost): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLength, { ...params, maxmem: 256 * params.N * params.r }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  )
}

/** The stored form of a password: `scrypt:N:r:p:<salt hex>:<hash hex>`, a fresh 32-byte salt each time. */
export async function hashTrustPassword(password: string): Promise<string> {
  const salt = randomBytes(32)
  const hash = await derive(password, salt, cost)
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('hex'), hash.toString('hex')].join(':')
}

/** True when `stored` is a hash this module wrote. */
export function isTrustPasswordHash(stored: string): boolean {
  return /^scrypt:\d+:\d+:\d+:[0-9a-f]{64}:[0-9a-f]{128}$/.test(stored)
}

/** True when `password` matches the stored hash; the comparison is constant-time, an empty or odd hash never matches. */
export async function trustPasswordMatches(stored: string, password: string): Promise<boolean> {
  if (!isTrustPasswordHash(stored) || password === '') return false
  const [, n, r, p, salt, hash] = stored.split(':')
  const params = { N: Number(n), r: Number(r), p: Number(p) }
  // Parameters are ours, but a hand-edited database must not make a check cost unbounded memory.
  if (params.N > 1 << 20 || params.r > 32 || params.p > 16) return false
  const want = Buffer.from(hash!, 'hex')
  const got = await derive(password, Buffer.from(salt!, 'hex'), params)
  return timingSafeEqual(want, got)
}

/** How many password attempts one address gets in a window, and the window. */
export const attemptsPerWindow = 5
const windowMs = 60_000
/** Addresses remembered at once; past that every attempt waits, so a flood cannot grow the table. */
const maxTracked = 10_000

/** Counts trust password attempts per source address in a sliding minute. */
export class AttemptLimiter {
  private readonly attempts = new Map<string, number[]>()

  constructor(private readonly now: () => number = Date.now) {}

  /** Records an attempt from `address`; 429 when it has had its share of this window. */
  take(address: string): void {
    const now = this.now()
    const recent = (this.attempts.get(address) ?? []).filter((t) => now - t < windowMs)
    if (recent.length === 0 && this.attempts.size >= maxTracked) this.prune(now)
    if (recent.length >= attemptsPerWindow || (recent.length === 0 && this.attempts.size >= maxTracked))
      throw new ApiError(429, 'Too many trust password attempts, try again later')
    recent.push(now)
    this.attempts.set(address, recent)
  }

  private prune(now: number): void {
    for (const [address, times] of this.attempts)
      if (times.every((t) => now - t >= windowMs)) this.attempts.delete(address)
  }
}
