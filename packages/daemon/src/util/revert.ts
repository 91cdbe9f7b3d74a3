/** @module Reverter: undo hooks for multi-step host changes, run in reverse unless success() was called. */

/** An undo step; may be async. */
export type RevertHook = () => unknown

/** Collects undo hooks; fail() runs them newest first unless success() was called. */
export class Reverter {
  private hooks: RevertHook[] = []

  /** Registers an undo step for a change that just succeeded. */
  add(hook: RevertHook): void {
    this.hooks.push(hook)
  }

  /** Keeps every change: fail() becomes a no-op. */
  success(): void {
    this.hooks = []
  }

  /** Runs the pending undo steps newest first; a failing step does not stop the others. */
  async fail(): Promise<void> {
    const hooks = this.hooks.reverse()
    this.hooks = []
    for (const hook of hooks) {
      try {
        await hook()
      } catch {
        // Best effort: the remaining steps still run.
      }
    }
  }
}
