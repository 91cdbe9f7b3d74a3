// Unit tier: config.yml paths, reading lxc's file shape and writing it back.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import {
  configPath,
  defaultConfig,
  loadConfig,
  main,
  nodeContext,
  saveConfig,
  splitRemote,
} from '@corral/cli'

test('configPath() follows CORRAL_CONF as a file or a directory, else HOME', () => {
  assert.equal(configPath({ HOME: '/home/u' }), '/home/u/.config/corral/config.yml')
  assert.equal(configPath({ CORRAL_CONF: '/etc/c.yml' }), '/etc/c.yml')
  assert.equal(configPath({ CORRAL_CONF: '/etc/corral' }), '/etc/corral/config.yml')
})

test('loadConfig() returns the default local remote when the file is missing', async () => {
  assert.deepEqual(await loadConfig('/nonexistent/config.yml'), defaultConfig())
})

test('a config written by lxc loads and saves back with its other remotes kept', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-conf-'))
  try {
    const file = path.join(dir, 'sub', 'config.yml')
    fs.mkdirSync(path.dirname(file))
    fs.writeFileSync(
      file,
      'default-remote: local\nremotes:\n  images:\n    addr: https://images.example\n    protocol: simplestreams\n    public: true\n  local:\n    addr: unix://\n    public: false\naliases: {}\n',
    )
    const config = await loadConfig(file)
    config.remotes.local!.project = 'pj1'
    await saveConfig(file, config)
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      'default-remote: local\nremotes:\n  images:\n    addr: https://images.example\n    protocol: simplestreams\n    public: true\n  local:\n    addr: unix://\n    project: pj1\n    public: false\naliases: {}\n',
    )
    assert.equal(fs.statSync(file).mode & 0o777, 0o600)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('splitRemote() splits remote:name and rejects unknown remotes with lxc wording', () => {
  const config = defaultConfig()
  assert.deepEqual(splitRemote(config, 'p1'), { remote: 'local', name: 'p1' })
  assert.deepEqual(splitRemote(config, 'local:'), { remote: 'local', name: '' })
  assert.throws(() => splitRemote(config, 'bogus:x'), { message: 'The remote "bogus" doesn\'t exist' })
})

test('nodeContext() dials $CORRAL_DIR/unix.socket, or the path of a unix:// remote', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-ctx-'))
  try {
    const conf = path.join(dir, 'config.yml')
    fs.writeFileSync(conf, `remotes:\n  other:\n    addr: unix://${dir}/other.socket\n    public: false\n`)
    const errors: string[] = []
    const io = { stdout: () => {}, stderr: (t: string) => void errors.push(t) }
    const env = { CORRAL_DIR: dir, CORRAL_CONF: conf }
    await main(['profile', 'list'], io, (g) => nodeContext(g, env))
    await main(['profile', 'list', 'other:'], io, (g) => nodeContext(g, env))
    assert.deepEqual(errors, [
      `Error: Get "http://unix.socket/1.0/profiles?recursion=1": dial unix ${dir}/unix.socket: connect: no such file or directory\n`,
      `Error: Get "http://unix.socket/1.0/profiles?recursion=1": dial unix ${dir}/other.socket: connect: no such file or directory\n`,
    ])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
