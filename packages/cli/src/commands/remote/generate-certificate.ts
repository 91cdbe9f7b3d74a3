/** @module `corral remote generate-certificate`: a browser certificate for the web UI (.crt to trust, .pfx to import). */
import type { CommandDefinition } from '../../command.js'
import { text } from '../../render/result.js'
import { generateBrowserCertificate } from '../../remotes/browser-cert.js'

/** `corral remote generate-certificate [<path>]`: asks for the .pfx password on stdin. */
export const remoteGenerateCertificate: CommandDefinition = {
  names: ['generate-certificate'],
  usage: '[<path>]',
  short: 'Generate a client certificate for the web UI (a .crt to trust and a password-protected .pfx)',
  long:
    'Writes <path>.crt and <path>.pfx (default corral-ui). Trust the .crt on the server with\n' +
    '`corral config trust add <path>.crt`, then import the .pfx into the browser with the password\n' +
    'given on stdin.',
  examples: 'corral remote generate-certificate ~/corral-ui\ncorral config trust add ~/corral-ui.crt',
  args: { min: 0, max: 1 },
  async run(ctx, args) {
    const base = args[0] ?? 'corral-ui'
    const password = await ctx.ask('Password for the .pfx file: ')
    const { crt, pfx } = await generateBrowserCertificate(base, password)
    return text(
      `Certificate: ${crt}\nBrowser bundle: ${pfx}\n\n` +
        `Next: on the server, corral config trust add ${crt}\n` +
        `      then import ${pfx} into your browser's certificates and open https://<server>:8443/ui/\n`,
    )
  },
}
