/** @module The image domain: store, import, aliases, export and unpacking for instances. */
export * from './service.js'
export * from './aliases.js'
export { importImage, validateUpload, type ImportOptions } from './import.js'
export { receiveUpload, type StagedUpload } from './upload.js'
export { exportBody, exportFiles, type ExportBody, type ExportFile } from './export.js'
export { unpackImage, unpackFlags } from './unpack.js'
export { parseImageMetadata } from './metadata.js'
export { imageFile, rootfsFile, imagesDir, isSplit } from './store.js'
export {
  localCopy,
  parseRemoteSource,
  pullImageOperation,
  type NewAlias,
  type RemoteImageSource,
} from './remote.js'
export { findImageSecret, issueImageSecret } from './secrets.js'
