/** @module @corral/client: a REST client for corrald and LXD. */
export {
  connect,
  connectTls,
  connectUnix,
  defaultSocketPath,
  type Client,
  type ConnectionInfo,
  type ConnectOptions,
} from './connect.js'
export type { CertificatesApi } from './certificates.js'
export { decodeToken, encodeToken, tokenFromOperation } from './token.js'
export {
  CertificateMismatchError,
  certificateFingerprint,
  fetchServerCertificate,
  hostPort,
  type ServerCertificate,
  type TlsOptions,
} from './tls-socket.js'
export { tlsTransport } from './tls.js'
export { ConnectionError, OperationError } from './errors.js'
export { eventsPath, type EventStream, type ListenOptions } from './events.js'
export { operationId, type OperationGroups, type OperationsApi } from './operations.js'
export type { ProfilesApi } from './profiles.js'
export type { ProjectsApi } from './projects.js'
export {
  parseEnvelope,
  withProject,
  type ApiResponse,
  type DebugLog,
  type RequestOptions,
} from './requester.js'
export type { ServerApi } from './server.js'
export type { EventSocket, Transport, TransportRequest, TransportResponse } from './transport.js'
export { unixTransport } from './unix.js'
export { attachExec, execFds, type ExecIo, type ExecSession } from './exec.js'
export type { ImagesApi, ImageUpload } from './images.js'
export type {
  ExecPost,
  InstanceSource,
  InstancesApi,
  InstancesPost,
  PulledFile,
  PushOptions,
} from './instances.js'
export { runOperation, waitOperation, type ProgressHandler } from './operation-wait.js'
export type { StoragePoolsApi } from './storage-pools.js'
export type { NetworksApi } from './networks.js'
export type { SecurityApi } from './security.js'
export type { WarningsApi } from './warnings.js'
export type { BinarySocket, RawRequest, RawResponse } from './transport.js'
