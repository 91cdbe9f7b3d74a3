/** @module A test daemon with one real busybox container registered as its instance (exec and files tests). */
import { join } from 'node:path'
import { createInstance } from '../../src/db/instances.js'
import { startTestContainer, type TestContainer } from './exec-container.js'
import type { instanceRow } from './instance-fixture.js'
import { startTestDaemon, type TestDaemon } from './test-daemon.js'

/** Starts a daemon, a test container named `row.name` in its containers dir, and the instance row. */
export async function startContainerDaemon(
  row: ReturnType<typeof instanceRow>,
): Promise<{ d: TestDaemon; c: TestContainer }> {
  const d = await startTestDaemon()
  const c = startTestContainer(join(d.dir, 'containers'), row.name)
  createInstance(d.daemon.state.db, row)
  return { d, c }
}

/** Destroys the container and stops the daemon, whichever of them started. */
export async function stopContainerDaemon(d?: TestDaemon, c?: TestContainer): Promise<void> {
  c?.destroy()
  await d?.close()
}
