/**
 * @module System tier: image templates (metadata.yaml `templates:`) through the stock client,
 * and a hostile image whose templates aim at the host: symlinks, "..", symlinked sources,
 * includes and code. Each refusal is checked on the host too: nothing there changed.
 */
import assert from 'node:assert/strict'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import { run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
const tag = `${process.pid}`
let s: LxcSession
/** Host files and a host directory the hostile templates aim at. */
let host = ''
let hostFile = ''
let hostDir = ''
const names: string[] = []

/** Unpacks the busybox image, lets `edit` change its tree, and imports the result under `alias`. */
function buildImage(alias: string, edit: (tree: string) => void): void {
  const tree = mkdtempSync(join(s.home, `img-${alias}-`))
  assert.equal(run('tar', ['-C', tree, '-xJf', join(s.images, 'busybox.tar.xz')]).status, 0)
  edit(tree)
  const file = join(s.home, `${alias}.tar`)
  assert.equal(
    run('tar', ['--numeric-owner', '-C', tree, '-cf', file, 'metadata.yaml', 'templates', 'rootfs']).status,
    0,
  )
  s.must(['image', 'import', file, '--alias', alias])
  rmSync(tree, { recursive: true, force: true })
}

/** metadata.yaml with the given templates (YAML text of the `templates:` map). */
function metadata(templates: string): string {
  return `architecture: x86_64\ncreation_date: 1700000000\nproperties:\n  os: busybox\ntemplates:\n${templates}`
}

function template(target: string, file: string, extra = ''): string {
  return `  ${target}:\n    when:\n      - create\n      - start\n      - rename\n    template: ${file}\n${extra}`
}

/** The host side is as the test left it: the file keeps its content, the directory stays empty. */
function assertHostUntouched(): void {
  assert.equal(readFileSync(hostFile, 'utf8'), 'host\n', 'the host file is unchanged')
  assert.deepEqual(readdirSync(hostDir), [], 'nothing was written into the host directory')
}

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-tpl', { image: true, pool: true })
  host = mkdtempSync(join('/tmp', `corral-tplhost-${tag}-`))
  hostFile = join(host, 'file')
  hostDir = join(host, 'dir')
  writeFileSync(hostFile, 'host\n')
  mkdirSync(hostDir)
})

after(async () => {
  if (skip) return
  await s.close(names)
  rmSync(host, { recursive: true, force: true })
})

test(
  'templates follow the instance: create, start and rename triggers, config_get, create_only',
  { skip },
  () => {
    buildImage('tplgood', (tree) => {
      writeFileSync(join(tree, 'templates', 'name.tpl'), '{{ container.name }}\n')
      writeFileSync(join(tree, 'templates', 'hosts.tpl'), '127.0.1.1\t{{ instance.name }}\n')
      writeFileSync(
        join(tree, 'templates', 'info.tpl'),
        '{{ trigger }} {{ config_get("user.greeting", "none") }}\n',
      )
      writeFileSync(join(tree, 'rootfs', 'etc', 'keep'), 'original\n')
      writeFileSync(
        join(tree, 'metadata.yaml'),
        metadata(
          [
            template('/etc/hostname', 'name.tpl'),
            template('/etc/hosts', 'hosts.tpl'),
            template('/etc/corral/info', 'info.tpl'),
            template('/etc/keep', 'name.tpl', '    create_only: true\n'),
          ].join(''),
        ),
      )
    })
    const name = `tplg${tag}`
    names.push(name, `${name}r`)
    s.must(['init', 'tplgood', name, '-c', 'user.greeting=hello'])
    assert.match(s.must(['config', 'get', name, 'volatile.apply_template']), /^create$/m)
    s.must(['start', name])
    assert.equal(s.must(['exec', name, '--', 'cat', '/etc/hostname']), `${name}\n`)
    assert.equal(s.must(['exec', name, '--', 'cat', '/etc/hosts']), `127.0.1.1\t${name}\n`)
    assert.equal(
      s.must(['exec', name, '--', 'cat', '/etc/corral/info']),
      'start hello\n',
      'start ran after create',
    )
    assert.equal(s.must(['exec', name, '--', 'cat', '/etc/keep']), 'original\n', 'create_only left it alone')
    assert.equal(s.must(['exec', name, '--', 'stat', '-c', '%a %u %g', '/etc/corral/info']), '644 0 0\n')
    assert.equal(
      s.must(['config', 'get', name, 'volatile.apply_template']).trim(),
      '',
      'cleared once applied',
    )
    s.must(['stop', name, '--force'])
    s.must(['rename', name, `${name}r`])
    assert.match(s.must(['config', 'get', `${name}r`, 'volatile.apply_template']), /^rename$/m)
    s.must(['start', `${name}r`])
    assert.equal(s.must(['exec', `${name}r`, '--', 'cat', '/etc/hostname']), `${name}r\n`)
    s.must(['delete', `${name}r`, '--force'])
  },
)

test("a hostile image's symlinked targets are written inside its rootfs, never on the host", { skip }, () => {
  buildImage('tplsym', (tree) => {
    writeFileSync(join(tree, 'templates', 'x.tpl'), 'planted by {{ container.name }}\n')
    const etc = join(tree, 'rootfs', 'etc')
    // The same path as the host's exists in the rootfs: that is where the symlinks must land.
    mkdirSync(join(tree, 'rootfs', hostDir), { recursive: true })
    symlinkSync(hostFile, join(etc, 'to-host-file'))
    symlinkSync(hostDir, join(etc, 'to-host-dir'))
    symlinkSync(`../../../../../../../../..${hostDir}`, join(etc, 'up-to-host-dir'))
    writeFileSync(
      join(tree, 'metadata.yaml'),
      metadata(
        [
          template('/etc/to-host-file', 'x.tpl'),
          template('/etc/to-host-dir/planted', 'x.tpl'),
          template('/etc/up-to-host-dir/planted2', 'x.tpl'),
        ].join(''),
      ),
    )
  })
  const name = `tpls${tag}`
  names.push(name)
  s.must(['launch', 'tplsym', name])
  assertHostUntouched()
  // What the symlinks named is the container's own path, created inside its rootfs.
  assert.equal(s.must(['exec', name, '--', 'cat', hostFile]), `planted by ${name}\n`)
  assert.equal(s.must(['exec', name, '--', 'cat', join(hostDir, 'planted')]), `planted by ${name}\n`)
  assert.equal(s.must(['exec', name, '--', 'cat', join(hostDir, 'planted2')]), `planted by ${name}\n`)
  s.must(['delete', name, '--force'])
  assertHostUntouched()
})

test(
  "a hostile image's templates that name the host are refused at start, and the host is untouched",
  { skip },
  () => {
    const cases: { alias: string; edit: (tree: string) => void; error: RegExp }[] = [
      {
        alias: 'tpldotdot',
        edit: (tree) => {
          writeFileSync(join(tree, 'templates', 'x.tpl'), 'x\n')
          writeFileSync(
            join(tree, 'metadata.yaml'),
            metadata(template(`/../../../../..${hostDir}/escaped`, 'x.tpl')),
          )
        },
        error: /Invalid template target/,
      },
      {
        alias: 'tpldangle',
        edit: (tree) => {
          writeFileSync(join(tree, 'templates', 'x.tpl'), 'x\n')
          symlinkSync(`${hostDir}/not-in-rootfs/file`, join(tree, 'rootfs', 'etc', 'dangling'))
          writeFileSync(join(tree, 'metadata.yaml'), metadata(template('/etc/dangling', 'x.tpl')))
        },
        error: /Failed to write template target "\/etc\/dangling": Not Found/,
      },
      {
        alias: 'tplsrcup',
        edit: (tree) =>
          writeFileSync(
            join(tree, 'metadata.yaml'),
            metadata(template('/etc/x', `../../../../../..${hostFile}`)),
          ),
        error: /Invalid template file/,
      },
      {
        alias: 'tplsrclink',
        edit: (tree) => {
          symlinkSync(hostFile, join(tree, 'templates', 'link.tpl'))
          writeFileSync(join(tree, 'metadata.yaml'), metadata(template('/etc/x', 'link.tpl')))
        },
        error: /not a regular file/,
      },
      {
        alias: 'tplsrcdirlink',
        edit: (tree) => {
          symlinkSync(dirname(hostFile), join(tree, 'templates', 'd'))
          writeFileSync(join(tree, 'metadata.yaml'), metadata(template('/etc/x', `d/${basename(hostFile)}`)))
        },
        error: /Failed to read template file .*not found/,
      },
      {
        alias: 'tplsrcdeep',
        edit: (tree) => {
          const deep = Array.from({ length: 40 }, () => 'a').join('/')
          mkdirSync(join(tree, 'templates', deep), { recursive: true })
          writeFileSync(join(tree, 'templates', deep, 'x.tpl'), 'x\n')
          writeFileSync(join(tree, 'metadata.yaml'), metadata(template('/etc/x', `${deep}/x.tpl`)))
        },
        error: /Invalid template file/,
      },
      {
        alias: 'tplmany',
        edit: (tree) => {
          writeFileSync(join(tree, 'templates', 'x.tpl'), 'x\n')
          const many = Array.from({ length: 300 }, (_, i) => template(`/etc/many${i}`, 'x.tpl')).join('')
          writeFileSync(join(tree, 'metadata.yaml'), metadata(many))
        },
        error: /more than 256 templates/,
      },
      {
        alias: 'tplinclude',
        edit: (tree) => {
          writeFileSync(join(tree, 'templates', 'x.tpl'), `{% include "${hostFile}" %}\n`)
          writeFileSync(join(tree, 'metadata.yaml'), metadata(template('/etc/x', 'x.tpl')))
        },
        error: /Failed to render template/,
      },
      {
        alias: 'tplcode',
        edit: (tree) => {
          const code = `require('fs').writeFileSync('${hostDir}/pwned', 'x')`
          writeFileSync(join(tree, 'templates', 'x.tpl'), `{{ "".constructor.constructor("${code}")() }}\n`)
          writeFileSync(join(tree, 'metadata.yaml'), metadata(template('/etc/x', 'x.tpl')))
        },
        error: /Failed to render template/,
      },
    ]
    for (const c of cases) {
      buildImage(c.alias, c.edit)
      const name = `${c.alias}${tag}`
      names.push(name)
      s.must(['init', c.alias, name])
      const r = s.lxc(['start', name])
      assert.notEqual(r.status, 0, `${c.alias}: the start is refused`)
      assert.match(r.stderr, c.error, c.alias)
      assert.match(s.must(['list', name, '--format', 'csv', '-c', 's']), /^STOPPED$/m)
      assertHostUntouched()
      s.must(['delete', name])
    }
  },
)
