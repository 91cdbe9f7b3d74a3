/** @module Create an instance from an image: name, image, profiles, start after creation. */
import { get, run, wait, call, type Operation } from '../api.js'
import { button, h, messageOf, notice, replace } from '../dom.js'
import { navigate, type Page } from '../router.js'
import type { Image } from '../types.js'

/** The create page. */
export const createPage: Page = (root) => {
  const name = h('input', {
    type: 'text',
    id: 'create-name',
    required: true,
    pattern: '[a-zA-Z][a-zA-Z0-9-]{0,62}',
    autocomplete: 'off',
  })
  const image = h('select', { id: 'create-image', required: true })
  const profiles = h('input', { type: 'text', id: 'create-profiles', value: 'default' })
  const start = h('input', { type: 'checkbox', id: 'create-start', checked: true })
  const errors = h('div', { 'aria-live': 'assertive' })
  replace(
    root,
    h('h1', {}, 'Create an instance'),
    h(
      'form',
      { class: 'form', novalidate: true },
      h('label', { for: 'create-name' }, 'Name'),
      name,
      h('label', { for: 'create-image' }, 'Image'),
      image,
      h('label', { for: 'create-profiles' }, 'Profiles (comma-separated)'),
      profiles,
      h('label', { for: 'create-start', class: 'inline' }, start, ' Start after creating'),
      errors,
      h(
        'div',
        { class: 'toolbar' },
        button(
          'Create',
          async () => {
            replace(errors)
            if (!name.value.trim()) return replace(errors, notice('error', 'A name is required'))
            if (!image.value) return replace(errors, notice('error', 'Choose an image'))
            try {
              await run('POST', '/1.0/instances', {
                name: name.value.trim(),
                type: 'container',
                source: { type: 'image', fingerprint: image.value },
                profiles: profiles.value
                  .split(',')
                  .map((p) => p.trim())
                  .filter(Boolean),
              })
              if (start.checked)
                await wait(
                  await call<Operation>(
                    'PUT',
                    `/1.0/instances/${encodeURIComponent(name.value.trim())}/state`,
                    {
                      action: 'start',
                      timeout: -1,
                    },
                  ),
                )
            } catch (err) {
              return replace(errors, notice('error', messageOf(err)))
            }
            navigate(`/ui/instances/${encodeURIComponent(name.value.trim())}`)
          },
          { kind: 'primary' },
        ),
      ),
    ),
  )
  void get<Image[]>('/1.0/images?recursion=1').then(
    (images) => {
      if (!images.length)
        return replace(
          errors,
          notice('info', 'No images in this project: import one first (corral image import).'),
        )
      replace(
        image,
        ...images.map((i) =>
          h(
            'option',
            { value: i.fingerprint },
            `${i.aliases.map((a) => a.name).join(', ') || i.fingerprint.slice(0, 12)} — ${i.properties.description ?? ''}`,
          ),
        ),
      )
    },
    (err: unknown) => replace(errors, notice('error', messageOf(err))),
  )
}
