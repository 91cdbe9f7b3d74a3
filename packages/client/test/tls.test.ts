// Unit tier: @corral/client over TLS against an in-test https server on 127.0.0.1 (self-signed certificates).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import fs from 'node:fs'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import { after, before, test } from 'node:test'
import { WebSocketServer } from 'ws'
import { selfSignedCertificateArgs, syncEnvelope } from '@corral/api'
import {
  CertificateMismatchError,
  ConnectionError,
  certificateFingerprint,
  connectTls,
  decodeToken,
  encodeToken,
  fetchServerCertificate,
  tlsTransport,
  tokenFromOperation,
} from '@corral/client'

let dir = ''
let server: https.Server
let url = ''
const pair = (name: string) => {
  const key = path.join(dir, `${name}.key`)
  const crt = path.join(dir, `${name}.crt`)
  execFileSync(
    'openssl',
    selfSignedCertificateArgs({ subject: `/CN=${name}`, days: 2, keyFile: key, certFile: crt }),
    { stdio: 'ignore' },
  )
  return { cert: fs.readFileSync(crt, 'utf8'), key: fs.readFileSync(key, 'utf8') }
}
let serverPair: { cert: string; key: string }
let clientPair: { cert: string; key: string }
const seen: { path: string; peer: string; body: string }[] = []

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-tls-test-'))
  serverPair = pair('server')
  clientPair = pair('client')
  server = https.createServer(
    { ...serverPair, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' },
    (req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const peer = (req.socket as TLSSocket).getPeerCertificate()
        const fp = peer?.raw ? certificateFingerprint(new X509Certificate(peer.raw).toString()) : ''
        seen.push({ path: req.url!, peer: fp, body: Buffer.concat(chunks).toString() })
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify(syncEnvelope({ auth: fp ? 'trusted' : 'untrusted' })))
      })
    },
  )
  const wss = new WebSocketServer({ server })
  wss.on('connection', (ws) => {
    ws.send('hello')
    ws.on('message', (m: Buffer) => ws.send(Buffer.from(`echo:${m.toString()}`), { binary: true }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
})

after(() => {
  server.closeAllConnections()
  server.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

test('fetchServerCertificate() returns the untrusted server certificate and its SHA-256 fingerprint', async () => {
  const got = await fetchServerCertificate(url)
  assert.equal(got.fingerprint, certificateFingerprint(serverPair.cert))
  assert.equal(certificateFingerprint(got.certificate), got.fingerprint)
})

test('connectTls() pinned to the server certificate presents the client certificate', async () => {
  const client = connectTls(url, {
    clientCert: clientPair.cert,
    clientKey: clientPair.key,
    serverCert: serverPair.cert,
  })
  const { server: info } = await client.server.get()
  assert.equal(info.auth, 'trusted')
  assert.equal(seen.at(-1)!.peer, certificateFingerprint(clientPair.cert))
  assert.deepEqual(client.connection, { url, certificate: serverPair.cert, protocol: 'lxd' })
})

test('a server whose certificate differs from the pinned one is refused before any request is sent', async () => {
  const before = seen.length
  const client = connectTls(url, { ...clientPairOpts(), serverCert: clientPair.cert })
  await assert.rejects(client.server.get(), (err: Error) => {
    assert.ok(err instanceof CertificateMismatchError)
    assert.match(err.message, /doesn't match the trusted certificate/)
    return true
  })
  assert.equal(seen.length, before)
})

test('without a pinned certificate a self-signed server fails system CA verification', async () => {
  await assert.rejects(connectTls(url, clientPairOpts()).server.get(), /self-signed certificate/)
})

test('raw requests stream their body and websockets carry text and binary frames over wss', async () => {
  const t = tlsTransport(url, { ...clientPairOpts(), serverCert: serverPair.cert })
  const res = await t.raw({
    method: 'POST',
    path: '/up',
    body: Readable.from([Buffer.from('ab'), Buffer.from('cd')]),
  })
  assert.equal(res.status, 200)
  assert.equal(seen.at(-1)!.body, 'abcd')
  const events = await t.websocket('/1.0/events')
  const first = await new Promise<string>((resolve) => events.onMessage(resolve))
  assert.equal(first, 'hello')
  events.close()
  const bin = await t.binarySocket('/ws')
  const frames: string[] = []
  const got = new Promise<void>((resolve) =>
    bin.onMessage((d, isBinary) => {
      frames.push(`${isBinary}:${d.toString()}`)
      if (frames.length === 2) resolve()
    }),
  )
  await bin.send(Buffer.from('x'))
  await got
  assert.deepEqual(frames, ['false:hello', 'true:echo:x'])
  bin.close()
})

test('a refused connection reads as lxc words it', async () => {
  const closed = https.createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as AddressInfo).port
  closed.close()
  await assert.rejects(
    connectTls(`https://127.0.0.1:${port}`, clientPairOpts()).server.get(),
    (err: Error) => {
      assert.ok(err instanceof ConnectionError)
      assert.equal(
        err.message,
        `Get "https://127.0.0.1:${port}/1.0": dial tcp 127.0.0.1:${port}: connect: connection refused`,
      )
      return true
    },
  )
})

test('tokens round-trip and are built from a token operation as lxc builds them', () => {
  const token = {
    client_name: 'r1',
    fingerprint: 'ab'.repeat(32),
    addresses: ['127.0.0.1:8443'],
    secret: 's3',
    expires_at: '2026-12-13T20:45:03.100Z',
  }
  const text = encodeToken(token)
  assert.equal(
    Buffer.from(text, 'base64').toString(),
    `{"client_name":"r1","fingerprint":"${'ab'.repeat(32)}","addresses":["127.0.0.1:8443"],"secret":"s3","expires_at":"2026-12-13T20:45:03.1Z"}`,
  )
  assert.deepEqual(decodeToken(text), { ...token, expires_at: '2026-12-13T20:45:03.1Z' })
  assert.throws(() => decodeToken('not-a-token'), {
    message: 'Failed decoding trust token: illegal base64 data',
  })
  assert.throws(() => decodeToken(Buffer.from('{"secret":').toString('base64')), {
    message: 'Failed decoding trust token: invalid JSON',
  })
  assert.throws(() => decodeToken(Buffer.from('{"client_name":"x"}').toString('base64')), {
    message: 'Failed decoding trust token: No server addresses in certificate add token',
  })
  const op = {
    metadata: {
      request: { name: 'r1' },
      secret: 's3',
      fingerprint: token.fingerprint,
      addresses: token.addresses,
      expiresAt: '2026-12-13T20:45:03.000Z',
    },
  } as never
  assert.equal(tokenFromOperation(op)!.expires_at, '2026-12-13T20:45:03.000Z')
  assert.match(
    Buffer.from(encodeToken(tokenFromOperation(op)!), 'base64').toString(),
    /"expires_at":"2026-12-13T20:45:03Z"/,
  )
})

function clientPairOpts() {
  return { clientCert: clientPair.cert, clientKey: clientPair.key }
}
