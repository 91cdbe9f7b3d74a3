/**
 * @module System tier: the web UI in headless Chromium (Debian's, driven by playwright-core)
 * against a real corrald on TLS 127.0.0.1 with real busybox containers: a trusted browser
 * certificate made by `corral remote generate-certificate` and trusted by `corral config trust
 * add`, an untrusted one, a restricted one; cross-site requests; first load time; screenshots.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { corralBin, freePort, repoRoot, run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { addForwardGuard } from '../helpers/net-guard.js'
import { addProjectRootDisk, quietBridge } from '../helpers/setup.js'

const chromiumPath = '/usr/bin/chromium'
const skip =
  sessionSkipReason({ image: true, pool: true }, ['dnsmasq', 'openssl']) ??
  (run('test', ['-x', chromiumPath]).status === 0
    ? undefined
    : `${chromiumPath} is missing (scripts/install-deps.sh installs Debian's chromium)`)
const tag = String(process.pid % 100000)
const net = `crtu${tag}`
const subnet = 1 + (process.pid % 90)
const c1 = `uia${tag}`
const c2 = `uip${tag}`
const c3 = `uic${tag}`
const project = `uipr${tag}`
const password = `pw-${tag}`
/** Screenshots of this run (docs/ui/ holds a committed set; docs/ui.md links both). */
const shots = join(repoRoot, 'test/artifacts/ui')

let s: LxcSession
let work = ''
let port = 0
let origin = ''
let browser: Browser | undefined
let evil: Server | undefined
let evilPort = 0
let removeGuard = () => {}
const certs = { trusted: '', untrusted: '', restricted: '' }

const corralEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  CORRAL_DIR: s.dir,
  CORRAL_CONF: join(work, 'conf'),
})
const corral = (args: string[], input?: string) => {
  const r = run(corralBin, args, { env: corralEnv(), input })
  assert.equal(r.status, 0, `corral ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

/** Makes a browser certificate the way the onboarding page says; returns the .pfx path. */
function browserCert(name: string): string {
  const out = corral(['remote', 'generate-certificate', join(work, name)], `${password}\n`)
  assert.match(out, new RegExp(`${name}\\.pfx`))
  return join(work, `${name}.pfx`)
}

/** A browser context presenting `pfx` (or no certificate) to the daemon's origin. */
async function contextWith(pfx?: string): Promise<BrowserContext> {
  return browser!.newContext({
    ignoreHTTPSErrors: true, // the daemon's self-signed server certificate
    clientCertificates: pfx ? [{ origin, pfxPath: pfx, passphrase: password }] : [],
    colorScheme: 'light',
    viewport: { width: 1280, height: 800 },
  })
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })

/** Waits for `locator`; on a timeout, fails with what the page says (its notices and status lines). */
async function expectShown(
  page: Page,
  locator: ReturnType<Page['locator']>,
  timeout = 20_000,
): Promise<void> {
  try {
    await locator.waitFor({ timeout })
  } catch (err) {
    const said = await page.locator('.notice, [role=status]').allTextContents()
    throw new Error(`${(err as Error).message.split('\n')[0]}; the page says: ${JSON.stringify(said)}`, {
      cause: err,
    })
  }
}

/** The instance list's row of `name`. */
const row = (page: Page, name: string) => page.locator(`tr[data-instance="${name}"]`)

/** An API call made by the page itself (same-origin fetch, the browser's certificate). */
async function pageFetch(page: Page, path: string): Promise<number> {
  return page.evaluate(`fetch(${JSON.stringify(path)}, { credentials: 'same-origin' }).then((r) => r.status)`)
}

/** One request over TLS with the trusted browser certificate and the given headers. */
function tlsRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers,
        pfx: readFileSync(certs.trusted),
        passphrase: password,
        rejectUnauthorized: false,
      },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString('utf8')))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

before(async () => {
  if (skip) return
  removeGuard = addForwardGuard(`u${tag}`)
  work = mkdtempSync('/tmp/corral-ui-work-')
  mkdirSync(shots, { recursive: true })
  s = await startLxcSession('corral-ui', { image: true, pool: true })
  s.must([
    'network',
    'create',
    net,
    `ipv4.address=198.19.${subnet}.1/24`,
    'ipv6.address=none',
    ...quietBridge,
  ])
  s.must(['profile', 'device', 'add', 'default', 'eth0', 'nic', `network=${net}`, 'name=eth0'])
  s.must(['launch', 'busybox', c1])
  s.must(['init', 'busybox', c2, '-c', 'security.privileged=true'])
  s.must(['project', 'create', project])
  addProjectRootDisk(s.must, project)
  port = await freePort()
  origin = `https://127.0.0.1:${port}`
  s.must(['config', 'set', 'core.https_address', `127.0.0.1:${port}`])
  certs.trusted = browserCert('browser')
  certs.untrusted = browserCert('stranger')
  certs.restricted = browserCert('tenant')
  corral(['config', 'trust', 'add', join(work, 'browser.crt')])
  corral(['config', 'trust', 'add', join(work, 'tenant.crt'), '--restricted', '--projects', project])
  // Another site: a page on another origin that tries to make the trusted browser act.
  evilPort = await freePort()
  evil = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' })
    res.end(
      `<!doctype html><title>elsewhere</title><script>fetch(${JSON.stringify(`${origin}/1.0/instances`)}, {method: 'POST', mode: 'no-cors', credentials: 'include', headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({name: 'evil${tag}', source: {type: 'none'}})}).then(() => document.title = 'sent', () => document.title = 'failed')</script>`,
    )
  }).listen(evilPort, '127.0.0.1')
  const { chromium } = await import('playwright-core')
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Playwright gives the browser a new, empty profile directory (--user-data-dir) of its own.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
})

after(async () => {
  if (skip) return
  await browser?.close()
  evil?.close()
  try {
    for (const c of [c1, c2, c3]) s.lxc(['delete', c, '--force'])
    await s.close([c1, c2, c3])
  } finally {
    rmSync(work, { recursive: true, force: true })
    removeGuard()
  }
})

test(
  '/ is redirected to /ui/ for a browser, and /ui/ carries a strict Content-Security-Policy',
  { skip },
  async () => {
    const root = await tlsRequest('GET', '/', { Accept: 'text/html' }, '')
    assert.equal(root.status, 302)
    const api = await tlsRequest('GET', '/', { Accept: 'application/json' }, '')
    assert.equal(api.status, 200, 'API clients still get the API root')
    const csp = run('curl', ['-skI', `${origin}/ui/instances`]).stdout
    assert.match(
      csp,
      /content-security-policy: default-src 'none'; script-src 'self'; style-src 'self' 'nonce-/i,
    )
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
  },
)

test(
  'with a trusted browser certificate: the running instance and its address, first load time, no CSP violation',
  { skip },
  async () => {
    const ctx = await contextWith(certs.trusted)
    const page = await ctx.newPage()
    const violations: string[] = []
    page.on('console', (m) => m.text().includes('Content Security Policy') && violations.push(m.text()))
    const t0 = Date.now()
    await page.goto(`${origin}/ui/`, { waitUntil: 'load' })
    const loaded = Date.now() - t0
    await row(page, c1).waitFor({ timeout: 10_000 })
    const listed = Date.now() - t0
    const nav = JSON.parse(
      await page.evaluate<string>(`JSON.stringify(performance.getEntriesByType('navigation')[0])`),
    ) as { domContentLoadedEventEnd: number; loadEventEnd: number; transferSize: number }
    console.log(
      `# first load of /ui/: load event ${loaded} ms (DOMContentLoaded ${nav.domContentLoadedEventEnd.toFixed(0)} ms, ` +
        `load ${nav.loadEventEnd.toFixed(0)} ms by the page's clock); instance list shown after ${listed} ms`,
    )
    await page
      .locator(`tr[data-instance="${c1}"] .state`, { hasText: 'Running' })
      .waitFor({ timeout: 10_000 })
    // DHCP from the test bridge: the address shows once udhcpc got its lease (the page polls).
    await page
      .locator(`tr[data-instance="${c1}"] .addresses`, { hasText: `198.19.${subnet}.` })
      .waitFor({ timeout: 60_000 })
    assert.ok(page.url().endsWith('/ui/instances'), page.url())
    // The sparklines draw once the page has polled twice (CPU time is a difference of two samples).
    await page
      .locator(`tr[data-instance="${c1}"] svg.spark polyline`)
      .first()
      .waitFor({ state: 'attached', timeout: 15_000 })
    await shot(page, 'instances')
    // The URL survives a reload.
    await page.reload()
    await row(page, c1).waitFor({ timeout: 10_000 })
    assert.deepEqual(violations, [])
    await ctx.close()
  },
)

test('stop and start from the instance list, and see the state change', { skip }, async () => {
  const ctx = await contextWith(certs.trusted)
  const page = await ctx.newPage()
  await page.goto(`${origin}/ui/instances`)
  await row(page, c1).waitFor()
  await page.getByLabel(`Select ${c1}`).check()
  await page.getByLabel('force').check()
  await page.getByRole('button', { name: 'Stop selected' }).click()
  await page.locator(`tr[data-instance="${c1}"] .state`, { hasText: 'Stopped' }).waitFor({ timeout: 30_000 })
  assert.match(s.must(['list', c1, '--format', 'csv', '-c', 's']), /STOPPED/)
  await shot(page, 'instances-stopped')
  await page.getByLabel(`Select ${c1}`).check()
  await page.getByRole('button', { name: 'Start selected' }).click()
  await page.locator(`tr[data-instance="${c1}"] .state`, { hasText: 'Running' }).waitFor({ timeout: 30_000 })
  assert.match(s.must(['list', c1, '--format', 'csv', '-c', 's']), /RUNNING/)
  await ctx.close()
})

test('the terminal: type `echo hello` and see hello', { skip }, async () => {
  const ctx = await contextWith(certs.trusted)
  const page = await ctx.newPage()
  const violations: string[] = []
  page.on('console', (m) => m.text().includes('Content Security Policy') && violations.push(m.text()))
  await page.goto(`${origin}/ui/instances/${c1}/terminal`)
  await expectShown(page, page.getByRole('status').filter({ hasText: 'Connected' }))
  await page.locator('.xterm').click()
  await page.keyboard.type('echo hello\n')
  const rows = page.locator('.xterm-rows > div')
  let lines: string[] = []
  for (let i = 0; i < 100 && !lines.includes('hello'); i++) {
    await new Promise((r) => setTimeout(r, 100))
    lines = (await rows.allTextContents()).map((l) => l.replace(/\u00a0/g, ' ').trim())
  }
  assert.ok(lines.includes('hello'), `terminal shows: ${JSON.stringify(lines.filter(Boolean))}`)
  assert.ok(
    lines.some((l) => l.endsWith('echo hello')),
    'the typed command is echoed by the shell',
  )
  await shot(page, 'terminal')
  assert.deepEqual(violations, [], 'xterm.js styles apply under the CSP (nonce)')
  await ctx.close()
})

test('instance page: pause and resume, a snapshot created and restored, the logs', { skip }, async () => {
  const ctx = await contextWith(certs.trusted)
  const page = await ctx.newPage()
  await page.goto(`${origin}/ui/instances/${c1}`)
  const state = page.locator('.instance-header .state')
  await state.filter({ hasText: 'Running' }).waitFor()
  await page.getByRole('button', { name: 'Pause' }).click()
  // Pause is the server's to offer: where it has no freeze yet, the page shows its refusal as is.
  const refused = page.locator('#toasts .notice.error')
  await expectShown(page, state.filter({ hasText: 'Frozen' }).or(refused))
  if (await refused.count()) {
    const said = (await refused.first().textContent()) ?? ''
    const api = await tlsRequest(
      'PUT',
      `/1.0/instances/${c1}/state`,
      { 'Content-Type': 'application/json' },
      JSON.stringify({ action: 'freeze' }),
    )
    assert.equal(said, (JSON.parse(api.text) as { error: string }).error, "the API's own error is shown")
    assert.match(s.must(['list', c1, '--format', 'csv', '-c', 's']), /RUNNING/)
    console.log(`# pause: the server refuses freeze here ("${said}"); the page shows that and nothing else`)
  } else {
    assert.match(s.must(['list', c1, '--format', 'csv', '-c', 's']), /FROZEN/)
    await page.getByRole('button', { name: 'Resume' }).click()
    await expectShown(page, state.filter({ hasText: 'Running' }))
  }
  await page.getByRole('link', { name: 'Snapshots' }).click()
  await page.waitForURL(`**/ui/instances/${c1}/snapshots`)
  await page.getByLabel('Snapshot name').fill('snap0')
  await page.getByRole('button', { name: 'Create snapshot' }).click()
  await page.locator('td', { hasText: 'snap0' }).waitFor({ timeout: 30_000 })
  assert.match(s.must(['query', `/1.0/instances/${c1}/snapshots`]), /snap0/)
  await shot(page, 'snapshots')
  // Restore really restores: a file made after the snapshot is gone.
  s.must(['exec', c1, '--', 'touch', '/root/after-snap0'])
  await page.getByRole('button', { name: 'Restore' }).click()
  await expectShown(page, page.getByText('Restored snap0'), 60_000)
  assert.notEqual(s.lxc(['exec', c1, '--', 'test', '-e', '/root/after-snap0']).status, 0)
  // The console is the server's to offer too: attached, or its 404 shown as such.
  await page.getByRole('link', { name: 'Console' }).click()
  await expectShown(
    page,
    page
      .locator('.tab-body > [role]')
      .filter({ hasText: /^Connected$|does not offer the console \(the API answered 404/ }),
  )
  await page.getByRole('link', { name: 'Logs' }).click()
  await page.locator('section h2, .notice').first().waitFor({ timeout: 10_000 })
  await ctx.close()
})

test('create an instance from the image', { skip }, async () => {
  const ctx = await contextWith(certs.trusted)
  const page = await ctx.newPage()
  await page.goto(`${origin}/ui/create`)
  await page.getByLabel('Name').fill(c3)
  await page.locator('#create-image option').first().waitFor({ state: 'attached' })
  await page.getByLabel('Start after creating').uncheck()
  await shot(page, 'create')
  await page.getByRole('button', { name: 'Create' }).click()
  await page.waitForURL(`**/ui/instances/${c3}`, { timeout: 60_000 })
  await page.locator('.instance-header .state', { hasText: 'Stopped' }).waitFor({ timeout: 10_000 })
  const listed = JSON.parse(s.must(['list', c3, '--format', 'json'])) as { name: string; status: string }[]
  assert.deepEqual(
    listed.map((i) => [i.name, i.status]),
    [[c3, 'Stopped']],
  )
  await ctx.close()
})

test(
  'config as YAML: a bad key is refused inline and nothing changes; a good one is saved',
  { skip },
  async () => {
    const ctx = await contextWith(certs.trusted)
    const page = await ctx.newPage()
    await page.goto(`${origin}/ui/instances/${c3}/configuration`)
    const area = page.getByLabel('Instance configuration (YAML)')
    await area.waitFor()
    await area.fill('config:\n  bogus.key: "1"\n')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.locator('#yaml-errors .notice.error').waitFor({ timeout: 10_000 })
    assert.match((await page.locator('#yaml-errors').textContent()) ?? '', /bogus\.key/)
    assert.equal(s.lxc(['config', 'get', c3, 'bogus.key']).stdout.trim(), '')
    await area.fill('config:\n  key: [unclosed\n')
    await page.locator('#yaml-errors', { hasText: 'Line' }).waitFor()
    await area.fill(`profiles: [default]\nconfig:\n  user.note: from-the-ui\ndevices: {}\n`)
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Configuration saved').waitFor({ timeout: 10_000 })
    assert.equal(s.must(['config', 'get', c3, 'user.note']).trim(), 'from-the-ui')
    await ctx.close()
  },
)

test('the audit page flags the privileged instance with its fix', { skip }, async () => {
  const ctx = await contextWith(certs.trusted)
  const page = await ctx.newPage()
  await page.goto(`${origin}/ui/audit`)
  const finding = page.locator('tr', { hasText: 'privileged-instance' }).filter({ hasText: c2 })
  await finding.first().waitFor({ timeout: 20_000 })
  assert.match((await finding.first().textContent()) ?? '', new RegExp(`security\\.privileged`))
  await shot(page, 'audit')
  await ctx.close()
})

test('images, networks with their leases, storage pools, warnings', { skip }, async () => {
  const ctx = await contextWith(certs.trusted)
  const page = await ctx.newPage()
  await page.goto(`${origin}/ui/images`)
  await expectShown(page, page.locator('td', { hasText: 'busybox' }).first())
  await shot(page, 'images')
  await page.goto(`${origin}/ui/networks`)
  await page.getByRole('link', { name: net }).click()
  await page.waitForURL(`**/ui/networks/${net}`)
  const lease = page.locator('tr', { hasText: c1 }).filter({ hasText: `198.19.${subnet}.` })
  await expectShown(page, lease)
  await shot(page, 'network-leases')
  await page.goto(`${origin}/ui/storage`)
  await expectShown(page, page.locator('.card h2', { hasText: 'default' }))
  // Custom volumes are the server's to offer: their table, or the API's own answer in its place.
  await expectShown(page, page.locator('.card table, .card .notice').first())
  await shot(page, 'storage')
  await page.goto(`${origin}/ui/warnings`)
  await expectShown(page, page.locator('tr', { hasText: 'security: privileged-instance' }).first(), 30_000)
  await shot(page, 'warnings')
  await ctx.close()
})

test('operations and live events: a change made elsewhere appears on the page', { skip }, async () => {
  const ctx = await contextWith(certs.trusted)
  const page = await ctx.newPage()
  await page.goto(`${origin}/ui/operations`)
  await expectShown(page, page.getByRole('status').filter({ hasText: 'Listening for events' }))
  s.must(['config', 'set', c3, 'user.seen=yes'])
  await expectShown(page, page.locator('.events li', { hasText: `instance-updated /1.0/instances/${c3}` }))
  await shot(page, 'operations')
  await ctx.close()
})

test(
  'an untrusted browser gets the onboarding page with the commands, and no API data',
  { skip },
  async () => {
    for (const pfx of [certs.untrusted, undefined]) {
      const ctx = await contextWith(pfx)
      const page = await ctx.newPage()
      await page.goto(`${origin}/ui/instances`)
      await page.locator('#onboarding').waitFor({ timeout: 10_000 })
      const text = (await page.locator('#onboarding').textContent()) ?? ''
      assert.match(text, /corral remote generate-certificate/)
      assert.match(text, /corral config trust add corral-ui\.crt/)
      assert.doesNotMatch(await page.content(), new RegExp(`${c1}|${c2}`))
      for (const path of [
        '/1.0/instances',
        '/1.0/instances?recursion=2',
        '/1.0/security/audit',
        '/1.0/projects',
      ])
        assert.equal(await pageFetch(page, path), 403, path)
      const events = await page.evaluate<string>(
        `new Promise((done) => { const ws = new WebSocket('wss://' + location.host + '/1.0/events'); ws.onopen = () => done('open'); ws.onerror = () => done('refused') })`,
      )
      assert.equal(events, 'refused', 'the event stream is not open to an untrusted browser')
      if (pfx) await shot(page, 'onboarding')
      await ctx.close()
    }
  },
)

test('a restricted certificate sees only its project', { skip }, async () => {
  const ctx = await contextWith(certs.restricted)
  const page = await ctx.newPage()
  await page.goto(`${origin}/ui/`)
  await page.locator('.instances').waitFor({ timeout: 10_000 })
  const options = await page.locator('#project option').allTextContents()
  assert.deepEqual(options, [project])
  assert.match(page.url(), new RegExp(`project=${project}`))
  assert.equal(await row(page, c1).count(), 0)
  assert.match((await page.locator('.instances').textContent()) ?? '', /No instances yet/)
  assert.equal(await pageFetch(page, '/1.0/instances?project=default'), 403)
  await page.goto(`${origin}/ui/audit?project=${project}`)
  await page.locator('.notice.error').waitFor()
  await shot(page, 'restricted')
  await ctx.close()
})

test('cross-site requests are refused with 403 and change nothing', { skip }, async () => {
  const body = JSON.stringify({ name: `evil${tag}`, source: { type: 'none' } })
  const json = { 'Content-Type': 'application/json' }
  const cross = await tlsRequest('POST', '/1.0/instances', { ...json, Origin: 'https://evil.example' }, body)
  assert.equal(cross.status, 403, cross.text)
  assert.match(cross.text, /"error_code":403/)
  const site = await tlsRequest('POST', '/1.0/instances', { ...json, 'Sec-Fetch-Site': 'cross-site' }, body)
  assert.equal(site.status, 403, site.text)
  const form = await tlsRequest(
    'POST',
    '/1.0/instances',
    { 'Content-Type': 'text/plain', 'Sec-Fetch-Site': 'same-origin' },
    body,
  )
  assert.equal(form.status, 415, 'a browser may not post a non-JSON body')
  // A real browser holding the trusted certificate, on a page of another site.
  const ctx = await contextWith(certs.trusted)
  const page = await ctx.newPage()
  const answered = page.waitForResponse(
    (r) => r.url() === `${origin}/1.0/instances` && r.request().method() === 'POST',
  )
  await page.goto(`http://127.0.0.1:${evilPort}/`)
  assert.equal((await answered).status(), 403)
  await ctx.close()
  assert.equal(s.lxc(['info', `evil${tag}`]).status === 0, false, 'nothing was created')
})

test(
  'keyboard only: Tab reaches an instance checkbox and Space selects it; dark follows the system; filter and project switcher',
  { skip },
  async () => {
    const ctx = await browser!.newContext({
      ignoreHTTPSErrors: true,
      clientCertificates: [{ origin, pfxPath: certs.trusted, passphrase: password }],
      colorScheme: 'dark',
      viewport: { width: 1280, height: 800 },
    })
    const page = await ctx.newPage()
    await page.goto(`${origin}/ui/instances`)
    await row(page, c1).waitFor()
    const focused = () => page.evaluate<string>(`document.activeElement?.getAttribute('aria-label') ?? ''`)
    let reached = false
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab')
      reached = (await focused()) === `Select ${c1}`
    }
    assert.ok(reached, 'the checkbox is reachable with Tab')
    await page.keyboard.press('Space')
    assert.equal(await page.getByLabel(`Select ${c1}`).isChecked(), true)
    const bg = await page.evaluate<string>(`getComputedStyle(document.body).backgroundColor`)
    assert.equal(bg, 'rgb(21, 24, 28)', 'the dark palette applies when the system prefers dark')
    await shot(page, 'instances-dark')
    // The filter narrows the list; the project switcher moves to another project's (empty) list.
    await page.getByLabel('Filter instances').fill('no-such-thing')
    await expectShown(page, page.locator('td.empty', { hasText: 'No match.' }))
    await page.getByLabel('Filter instances').fill(c1)
    const rows = await page.locator('tr[data-instance]').all()
    const shown = await Promise.all(rows.map((r) => r.getAttribute('data-instance')))
    assert.deepEqual(shown, [c1])
    await page.getByLabel('Project').selectOption(project)
    await page.waitForURL(`**/ui/instances?project=${project}`)
    await expectShown(page, page.locator('td.empty', { hasText: 'No instances yet.' }))
    await ctx.close()
  },
)

test(
  'an untrusted browser pastes a trust token on the onboarding page and is trusted',
  { skip },
  async () => {
    const out = corral(['config', 'trust', 'add', '--name', `ui${tag}`])
      .trim()
      .split('\n')
    const token = out[out.length - 1]!
    const ctx = await contextWith(certs.untrusted)
    const page = await ctx.newPage()
    await page.goto(`${origin}/ui/instances`)
    await page.getByLabel('Trust token').fill(token)
    await page.getByRole('button', { name: 'Trust this browser' }).click()
    await row(page, c1).waitFor({ timeout: 15_000 })
    assert.match(s.must(['config', 'trust', 'list', '--format', 'csv']), new RegExp(`ui${tag}`))
    assert.doesNotMatch(page.url(), /token|secret/i, 'no secret in the URL')
    assert.equal(
      await page.evaluate<number>('localStorage.length + sessionStorage.length'),
      0,
      'nothing stored',
    )
    assert.deepEqual(await ctx.cookies(), [], 'no cookie either')
    await ctx.close()
  },
)
