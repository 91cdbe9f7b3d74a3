/**
 * @module The web UI's files on the TLS listener: /ui/ from the build the daemon package ships
 * (dist/ui, written by packages/ui's Vite build), with a strict Content-Security-Policy, and `/`
 * redirected there for browsers. Anyone may load the files (they hold no data); the data comes
 * from the API, which only answers a trusted client certificate.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where the built UI lives: dist/ui beside this module's dist/src. */
export const uiDir = fileURLToPath(new URL('../../ui/', import.meta.url))

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
}

/**
 * The policy for every /ui/ response: scripts only from our own files (no inline script, no eval),
 * styles from our files or carrying this response's nonce (xterm.js writes its own <style>
 * elements, which the UI stamps with it), data only from this origin, never framed.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** Serves the request when it is the UI's (true), else leaves it to the API router (false). */
export function serveUi(req: IncomingMessage, res: ServerResponse): boolean {
  const path = new URL(req.url ?? '/', 'https://corral').pathname
  const method = req.method ?? 'GET'
  if (path === '/' && method === 'GET' && wantsHtml(req)) return (redirect(res, '/ui/'), true)
  if (path === '/ui') return (redirect(res, '/ui/'), true)
  if (!path.startsWith('/ui/')) return false
  req.resume()
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method not allowed\n')
    return true
  }
  const file = resolveFile(path)
  // Paths that are not files are the UI's own routes (/ui/instances/c1): the app, so reload works.
  const served = file ?? (path.startsWith('/ui/assets/') ? undefined : join(uiDir, 'index.html'))
  let body: Buffer
  try {
    if (!served) throw new Error('not found')
    body = readFileSync(served)
  } catch {
    const missing = !served || served.endsWith('index.html')
    res
      .writeHead(missing && served ? 503 : 404, { 'Content-Type': 'text/plain; charset=utf-8' })
      .end(
        served ? 'The web UI is not built (npm run build writes packages/daemon/dist/ui)\n' : 'Not found\n',
      )
    return true
  }
  const nonce = randomBytes(16).toString('base64')
  const html = served.endsWith('.html')
  if (html) body = Buffer.from(body.toString('utf8').replaceAll('__CSP_NONCE__', nonce))
  res.writeHead(200, {
    'Content-Type': types[extname(served)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    'Content-Security-Policy': contentSecurityPolicy(nonce),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    // Hashed asset names never change content; the page itself is always fetched anew.
    'Cache-Control': path.startsWith('/ui/assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
  })
  res.end(method === 'HEAD' ? undefined : body)
  return true
}

/** The file under uiDir a /ui/ path names, or undefined (directories, escapes, missing files). */
function resolveFile(path: string): string | undefined {
  let rel: string
  try {
    rel = decodeURIComponent(path.slice('/ui/'.length))
  } catch {
    return undefined
  }
  if (rel === '' || rel.includes('\0')) return undefined
  const full = normalize(join(uiDir, rel))
  if (!full.startsWith(uiDir.endsWith(sep) ? uiDir : uiDir + sep)) return undefined
  try {
    return statSync(full).isFile() ? full : undefined
  } catch {
    return undefined
  }
}

/** A browser's navigation asks for HTML; lxc, pylxd and curl do not. */
function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html')
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, 'Content-Type': 'text/plain' }).end(`See ${location}\n`)
}
