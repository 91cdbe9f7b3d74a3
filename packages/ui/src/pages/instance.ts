/**
 * @module One instance: actions (start, stop, restart, pause/resume), its configuration and
 * devices as YAML with errors shown inline, snapshots, a terminal, the console and its logs.
 */
import { parseDocument, stringify } from 'yaml'
import { ApiFailure, get, getText, run } from '../api.js'
import { badge, button, bytes, h, messageOf, notice, replace, table, tabs, toast, when } from '../dom.js'
import { href, navigate, type Page } from '../router.js'
import type { Instance } from '../types.js'
import { addressesOf, changeState } from './instances.js'
import { openTerminal } from './terminal.js'

const sections = [
  { id: 'overview', label: 'Overview' },
  { id: 'configuration', label: 'Configuration' },
  { id: 'snapshots', label: 'Snapshots' },
  { id: 'terminal', label: 'Terminal' },
  { id: 'console', label: 'Console' },
  { id: 'logs', label: 'Logs' },
]

const path = (name: string) => `/1.0/instances/${encodeURIComponent(name)}`

/** The instance page: /instances/<name>/<section>. */
export const instancePage: Page = (root, params) => {
  const name = params.name!
  const tab = params.tab ?? 'overview'
  const header = h('div', { class: 'instance-header' })
  const content = h('section', { class: 'tab-body', 'aria-live': 'polite' })
  replace(
    root,
    h('h1', {}, h('a', { href: href('/instances') }, 'Instances'), ' / ', name),
    header,
    tabs(
      sections.map((s) => ({ ...s, href: href(`/instances/${encodeURIComponent(name)}/${s.id}`) })),
      tab,
    ),
    content,
  )
  let stopped = false
  const cleanups: (() => void)[] = [() => (stopped = true)]

  const load = async (): Promise<Instance | undefined> => {
    try {
      const inst = await get<Instance>(`${path(name)}?recursion=2`)
      if (!stopped) drawHeader(inst)
      return inst
    } catch (err) {
      replace(header, notice('error', messageOf(err)))
      return undefined
    }
  }

  const act = (label: string, action: string, kind?: 'danger') =>
    button(
      label,
      async () => {
        const force = (document.getElementById('force-stop') as HTMLInputElement | null)?.checked ?? false
        await changeState(name, action, force)
        toast('ok', `${name}: ${action} done`)
        await load()
      },
      { kind },
    )

  const drawHeader = (inst: Instance) => {
    const running = inst.status === 'Running'
    const frozen = inst.status === 'Frozen'
    replace(
      header,
      h('span', { class: 'state' }, badge(inst.status)),
      h(
        'div',
        { class: 'toolbar' },
        !running && !frozen && act('Start', 'start'),
        running && act('Stop', 'stop', 'danger'),
        (running || frozen) && act('Restart', 'restart'),
        running && act('Pause', 'freeze'),
        frozen && act('Resume', 'unfreeze'),
        (running || frozen) &&
          h('label', { for: 'force-stop' }, h('input', { type: 'checkbox', id: 'force-stop' }), ' force'),
        button(
          'Delete',
          async () => {
            if (!confirm(`Delete ${name}? This cannot be undone.`)) return
            await run('DELETE', path(name))
            navigate('/ui/instances')
          },
          { kind: 'danger' },
        ),
      ),
    )
  }

  void load().then((inst) => {
    if (!inst || stopped) return
    const draw = drawers[tab]
    if (!draw) return replace(content, notice('error', `No section ${tab}`))
    const done = draw(content, inst, load)
    if (done) cleanups.push(done)
  })
  const timer = setInterval(() => void load(), 5000)
  cleanups.push(() => clearInterval(timer))
  return () => cleanups.forEach((c) => c())
}

type Drawer = (
  el: HTMLElement,
  inst: Instance,
  reload: () => Promise<Instance | undefined>,
) => void | (() => void)

const drawers: Record<string, Drawer> = {
  overview(el, inst) {
    const s = inst.state
    replace(
      el,
      h(
        'dl',
        { class: 'facts' },
        ...[
          ['Type', inst.type],
          ['Architecture', inst.architecture],
          ['Profiles', inst.profiles.join(', ')],
          ['Created', when(inst.created_at)],
          ['Last used', when(inst.last_used_at)],
          ['PID', s?.pid ? String(s.pid) : '–'],
          ['Processes', s?.processes !== undefined && s.processes >= 0 ? String(s.processes) : '–'],
          ['Memory', bytes(s?.memory?.usage)],
          ['Addresses', addressesOf(inst).join(', ') || '–'],
          ['Privileged', inst.expanded_config?.['security.privileged'] === 'true' ? 'yes' : 'no'],
        ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      ),
    )
  },

  configuration(el, inst, reload) {
    const editable = {
      description: inst.description,
      profiles: inst.profiles,
      config: inst.config,
      devices: inst.devices,
    }
    const area = h('textarea', {
      class: 'yaml',
      spellcheck: 'false',
      rows: 24,
      'aria-label': 'Instance configuration (YAML)',
      'aria-describedby': 'yaml-errors',
    })
    area.value = stringify(editable)
    const errors = h('div', { id: 'yaml-errors', class: 'errors', 'aria-live': 'assertive' })
    const check = (): Record<string, unknown> | undefined => {
      const doc = parseDocument(area.value)
      if (doc.errors.length) {
        replace(
          errors,
          ...doc.errors.map((e) =>
            notice(
              'error',
              `Line ${(e.linePos?.[0]?.line ?? 0).toString()}: ${e.message.split('\n')[0] ?? ''}`,
            ),
          ),
        )
        area.setAttribute('aria-invalid', 'true')
        return undefined
      }
      const value = doc.toJS() as unknown
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        replace(
          errors,
          notice('error', 'The configuration must be a mapping (description, profiles, config, devices)'),
        )
        return undefined
      }
      area.removeAttribute('aria-invalid')
      replace(errors)
      return value as Record<string, unknown>
    }
    area.addEventListener('input', () => void check())
    replace(
      el,
      h(
        'p',
        { class: 'muted' },
        'Edit config keys and devices as YAML; the server validates on save and its error is shown here.',
      ),
      area,
      errors,
      h(
        'div',
        { class: 'toolbar' },
        button(
          'Save',
          async () => {
            const value = check()
            if (!value) return
            try {
              await run('PUT', path(inst.name), {
                architecture: inst.architecture,
                ephemeral: inst.ephemeral,
                stateful: inst.stateful,
                ...value,
              })
            } catch (err) {
              area.setAttribute('aria-invalid', 'true')
              replace(errors, notice('error', messageOf(err)))
              return
            }
            toast('ok', 'Configuration saved')
            const fresh = await reload()
            if (fresh)
              area.value = stringify({
                description: fresh.description,
                profiles: fresh.profiles,
                config: fresh.config,
                devices: fresh.devices,
              })
          },
          { kind: 'primary' },
        ),
        button('Revert', () => {
          area.value = stringify(editable)
          check()
        }),
      ),
    )
  },

  snapshots(el, inst) {
    const list = h('div', {}, 'Loading…')
    const nameInput = h('input', {
      type: 'text',
      placeholder: 'snapshot name (optional)',
      'aria-label': 'Snapshot name',
    })
    const draw = async () => {
      try {
        const snaps = await get<{ name: string; created_at: string; stateful: boolean }[]>(
          `${path(inst.name)}/snapshots?recursion=1`,
        )
        replace(
          list,
          table(
            ['Name', 'Created', ''],
            snaps.map((s) => [
              s.name,
              when(s.created_at),
              h(
                'span',
                { class: 'toolbar' },
                button('Restore', async () => {
                  await run('PUT', path(inst.name), { restore: s.name })
                  toast('ok', `Restored ${s.name}`)
                }),
                button(
                  'Delete',
                  async () => {
                    await run('DELETE', `${path(inst.name)}/snapshots/${encodeURIComponent(s.name)}`)
                    await draw()
                  },
                  { kind: 'danger' },
                ),
              ),
            ]),
            'No snapshots.',
          ),
        )
      } catch (err) {
        replace(list, notice('error', messageOf(err)))
      }
    }
    replace(
      el,
      h(
        'div',
        { class: 'toolbar' },
        nameInput,
        button(
          'Create snapshot',
          async () => {
            await run(
              'POST',
              `${path(inst.name)}/snapshots`,
              nameInput.value ? { name: nameInput.value } : {},
            )
            nameInput.value = ''
            await draw()
          },
          { kind: 'primary' },
        ),
      ),
      list,
    )
    void draw()
  },

  terminal(el, inst) {
    if (inst.status !== 'Running')
      return replace(el, notice('info', 'Start the instance to open a terminal.'))
    return openTerminal(el, `${path(inst.name)}/exec`, {
      command: ['/bin/sh'],
      environment: { TERM: 'xterm-256color', HOME: '/root', USER: 'root' },
      interactive: true,
      'wait-for-websocket': true,
    })
  },

  console(el, inst) {
    if (inst.status !== 'Running')
      return replace(el, notice('info', 'Start the instance to attach its console.'))
    // The console API is not on every server yet: its answer (error included) is what we show.
    return openTerminal(
      el,
      `${path(inst.name)}/console`,
      { type: 'console' },
      'This server does not offer the console',
    )
  },

  logs(el, inst) {
    replace(el, 'Loading…')
    void (async () => {
      try {
        const urls = await get<string[]>(`${path(inst.name)}/logs`)
        if (!urls.length) return replace(el, notice('info', 'No log files.'))
        const parts = await Promise.all(
          urls.map(async (u) => {
            const file = u.split('/').pop() ?? u
            try {
              return h(
                'section',
                {},
                h('h2', {}, file),
                h('pre', { class: 'log', tabindex: 0 }, await getText(u)),
              )
            } catch (err) {
              return h('section', {}, h('h2', {}, file), notice('error', messageOf(err)))
            }
          }),
        )
        replace(el, ...parts)
      } catch (err) {
        replace(el, notice('error', err instanceof ApiFailure ? err.message : String(err)))
      }
    })()
  },
}
