// Unit tier: a migrated volume must have the instance layout before it becomes an instance.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { checkReceivedLayout } from '../../src/instance/migration/device-audit.js'

test('a received rootfs, templates or metadata that is a symlink is refused; the plain layout passes', async () => {
  const root = mkdtempSync(join(tmpdir(), 'corral-miglayout-'))
  try {
    const volume = (name: string, make: (dir: string) => void) => {
      const dir = join(root, name)
      mkdirSync(dir)
      make(dir)
      return dir
    }
    const plain = volume('plain', (d) => {
      mkdirSync(join(d, 'rootfs'))
      mkdirSync(join(d, 'templates'))
      writeFileSync(join(d, 'metadata.yaml'), 'architecture: x86_64\n')
    })
    await checkReceivedLayout(plain)
    const bad = {
      rootfsLink: (d: string) => symlinkSync('/', join(d, 'rootfs')),
      noRootfs: (d: string) => writeFileSync(join(d, 'metadata.yaml'), ''),
      metadataLink: (d: string) => {
        mkdirSync(join(d, 'rootfs'))
        symlinkSync('/etc/shadow', join(d, 'metadata.yaml'))
      },
      templatesLink: (d: string) => {
        mkdirSync(join(d, 'rootfs'))
        symlinkSync('/etc', join(d, 'templates'))
      },
      otherLink: (d: string) => {
        mkdirSync(join(d, 'rootfs'))
        symlinkSync('/', join(d, 'extra'))
      },
    }
    for (const [name, make] of Object.entries(bad))
      await assert.rejects(checkReceivedLayout(volume(name, make)), /rootfs directory|wrong type/, name)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})
