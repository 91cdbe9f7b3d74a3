/**
 * @module What an untrusted browser sees: how to make a browser certificate and get it trusted,
 * with the exact commands (as LXD UI's onboarding does). It reads no API data: the server only
 * told us that this browser is not trusted.
 */
import { call } from '../api.js'
import { button, h, messageOf, notice, replace } from '../dom.js'

const cmd = (text: string) => h('pre', { class: 'cmd', tabindex: 0 }, h('code', {}, text))

/** Renders the onboarding page; `hasCertificate` is false when the browser presented none. */
export function onboarding(root: HTMLElement): void {
  const host = location.host
  const token = h('input', {
    type: 'password',
    id: 'trust-token',
    autocomplete: 'off',
    'aria-describedby': 'token-help',
  })
  const result = h('div', { 'aria-live': 'assertive' })
  replace(
    root,
    h(
      'main',
      { class: 'onboarding', id: 'onboarding' },
      h('h1', {}, 'Corral: this browser is not trusted yet'),
      h(
        'p',
        {},
        'Corral signs you in with a client certificate that the browser presents and the server trusts. ',
        'Until then the server answers no data to this browser.',
      ),
      h('h2', {}, '1. Make a browser certificate'),
      h('p', {}, 'On any machine with the corral client (it asks for a password that protects the .pfx):'),
      cmd('corral remote generate-certificate corral-ui'),
      h(
        'p',
        {},
        'This writes corral-ui.crt (the certificate) and corral-ui.pfx (certificate and key, password-protected).',
      ),
      h('h2', {}, '2. Trust it on the server'),
      h('p', {}, 'On the server, as root or a member of the corral group:'),
      cmd('corral config trust add corral-ui.crt'),
      h('p', {}, 'To allow only some projects:'),
      cmd('corral config trust add corral-ui.crt --restricted --projects <project>'),
      h('h2', {}, '3. Import the .pfx into the browser'),
      h(
        'ul',
        {},
        h(
          'li',
          {},
          'Chromium/Chrome: Settings → Privacy and security → Security → Manage certificates → Your certificates → Import.',
        ),
        h(
          'li',
          {},
          'Firefox: Settings → Privacy & Security → Certificates → View Certificates → Your Certificates → Import.',
        ),
      ),
      h(
        'p',
        {},
        'Then restart the browser, open ',
        h('code', {}, `https://${host}/ui/`),
        ' and choose the certificate when asked.',
      ),
      h('h2', {}, 'Or: use a trust token'),
      h(
        'p',
        { id: 'token-help' },
        'With the .pfx imported but not yet trusted, paste a token made on the server with ',
        h('code', {}, 'corral config trust add --name corral-ui'),
        '. The token is sent once in the request body and kept nowhere.',
      ),
      h('label', { for: 'trust-token' }, 'Trust token'),
      token,
      h(
        'div',
        { class: 'toolbar' },
        button(
          'Trust this browser',
          async () => {
            try {
              await call(
                'POST',
                '/1.0/certificates',
                { type: 'client', trust_token: token.value.trim() },
                { project: null },
              )
              token.value = ''
              location.reload()
            } catch (err) {
              replace(result, notice('error', messageOf(err)))
            }
          },
          { kind: 'primary' },
        ),
      ),
      result,
    ),
  )
}
