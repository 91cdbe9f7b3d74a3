/** @module Serialises work per key (one instance at a time), in arrival order. */

/** A lock per key: run() waits for earlier work on the same key. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>()

  /** Runs `work` after every earlier run() on the same key has settled. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const next = previous.then(work, work)
    const tail = next.catch(() => undefined)
    this.tails.set(key, tail)
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    })
    return next
  }
}
