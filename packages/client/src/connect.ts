/** @module Client construction: one object with every endpoint group, bound to a transport and project. */
import type { Envelope } from '@corral/api'
import type { Operation } from '@corral/api'
import { certificatesApi, type CertificatesApi } from './certificates.js'
import { attachExec, type ExecIo, type ExecSession } from './exec.js'
import { imagesApi, type ImagesApi } from './images.js'
import { instancesApi, type InstancesApi } from './instances.js'
import { listenEvents, type EventStream, type ListenOptions } from './events.js'
import { networksApi, type NetworksApi } from './networks.js'
import { operationsApi, type OperationsApi } from './operations.js'
import { profilesApi, type ProfilesApi } from './profiles.js'
import { projectsApi, type ProjectsApi } from './projects.js'
import { createRequester, type DebugLog } from './requester.js'
import { securityApi, type SecurityApi } from './security.js'
import { serverApi, type ServerApi } from './server.js'
import { storagePoolsApi, type StoragePoolsApi } from './storage-pools.js'
import { tlsTransport } from './tls.js'
import type { TlsOptions } from './tls-socket.js'
import type { Transport } from './transport.js'
import { unixTransport } from './unix.js'
import { warningsApi, type WarningsApi } from './warnings.js'

/** The options every connect function takes. */
export interface ConnectOptions {
  /** Project to scope requests to; `default` when absent. */
  project?: string
  /** Called with each request and response, for `--debug`. */
  debug?: DebugLog
  /** How another server reaches this one (the `source` of a remote image pull). */
  connection?: ConnectionInfo
}

/** LXD's ConnectionInfo: the URL and pinned certificate another server uses to pull from this one. */
export interface ConnectionInfo {
  /** `https://host:port` (empty for a unix socket). */
  url: string
  /** The server certificate (PEM) as pinned by the client; empty when the system CAs decide. */
  certificate: string
  /** Always `lxd`. */
  protocol: string
}

/** A connected client: endpoint groups plus a raw query. */
export interface Client {
  /** The project requests are scoped to. */
  readonly project: string
  /** How to reach this server from elsewhere, when known (https remotes). */
  readonly connection?: ConnectionInfo
  server: ServerApi
  certificates: CertificatesApi
  profiles: ProfilesApi
  projects: ProjectsApi
  operations: OperationsApi
  instances: InstancesApi
  images: ImagesApi
  storagePools: StoragePoolsApi
  networks: NetworksApi
  warnings: WarningsApi
  security: SecurityApi
  /** Joins an exec operation's websockets. */
  attachExec(op: Operation, io: ExecIo): Promise<ExecSession>
  /** Sends any request and returns the whole envelope (throws ApiError for error envelopes). */
  query(method: string, path: string, body?: unknown): Promise<{ envelope: Envelope; etag?: string }>
  /** Opens /1.0/events. */
  events(opts?: ListenOptions): Promise<EventStream>
  /** The same server, scoped to another project. */
  withProject(project: string): Client
}

/** Builds a client over any transport (unix socket, TLS, or a test fake). */
export function connect(transport: Transport, opts: ConnectOptions = {}): Client {
  const r = createRequester(transport, opts.project, opts.debug)
  return {
    project: r.project,
    ...(opts.connection ? { connection: opts.connection } : {}),
    server: serverApi(r),
    certificates: certificatesApi(r),
    profiles: profilesApi(r),
    projects: projectsApi(r),
    operations: operationsApi(r),
    instances: instancesApi(r),
    images: imagesApi(r),
    storagePools: storagePoolsApi(r),
    networks: networksApi(r),
    warnings: warningsApi(r),
    security: securityApi(r),
    attachExec: (op, io) => attachExec(r, op, io),
    async query(method, path, body) {
      const res = await r.send(method, path, body, { project: false })
      return { envelope: res.envelope, etag: res.etag }
    },
    events: (listen) => listenEvents(r, listen),
    withProject: (project) => connect(transport, { ...opts, project }),
  }
}

/** Connects to a server's unix socket. */
export function connectUnix(socketPath: string, opts: ConnectOptions = {}): Client {
  return connect(unixTransport(socketPath), opts)
}

/** Connects to `https://host[:port]` with a client certificate, pinned to `serverCert` when given. */
export function connectTls(url: string, tls: TlsOptions, opts: ConnectOptions = {}): Client {
  const transport = tlsTransport(url, tls)
  const connection = { url: transport.base, certificate: tls.serverCert ?? '', protocol: 'lxd' }
  return connect(transport, { connection, ...opts })
}

/** The socket path: `$CORRAL_DIR/unix.socket`, default `/var/lib/corral/unix.socket`. */
export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return `${env.CORRAL_DIR || '/var/lib/corral'}/unix.socket`
}
