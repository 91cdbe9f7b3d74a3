/** @module Image wire types (shared/api/image.go). */

/** An alias as listed inside an image. */
export interface ImageAlias {
  name: string
  description: string
}

/** Where an image came from and how to refresh it. */
export interface ImageSource {
  alias: string
  certificate: string
  protocol: string
  server: string
  image_type: string
}

/** Body of PUT/PATCH /1.0/images/{fingerprint}. */
export interface ImagePut {
  auto_update: boolean
  properties: Record<string, string>
  public: boolean
  expires_at: string
  profiles: string[]
}

/** An image as GET returns it. */
export interface Image extends ImagePut {
  aliases: ImageAlias[]
  architecture: string
  cached: boolean
  filename: string
  fingerprint: string
  size: number
  update_source?: ImageSource
  type: string
  created_at: string
  last_used_at: string
  uploaded_at: string
}

/** The `source` of POST /1.0/images in its JSON form. */
export interface ImagesPostSource extends Partial<ImageSource> {
  type: string
  mode?: string
  url?: string
  name?: string
  fingerprint?: string
  secret?: string
  project?: string
}

/** Body of POST /1.0/images in its JSON form (copy from a remote, from an instance, from a URL). */
export interface ImagesPost extends Partial<ImagePut> {
  filename?: string
  source?: ImagesPostSource
  compression_algorithm?: string
  aliases?: ImageAlias[]
  type?: string
}

/** The writable part of an alias (PUT/PATCH /1.0/images/aliases/{name}). */
export interface ImageAliasesEntryPut {
  description: string
  target: string
}

/** An alias as GET /1.0/images/aliases/{name} returns it. */
export interface ImageAliasesEntry extends ImageAliasesEntryPut {
  name: string
  type: string
}

/** Body of POST /1.0/images/aliases. */
export type ImageAliasesPost = ImageAliasesEntry

/** Body of POST /1.0/images/aliases/{name} (rename). */
export interface ImageAliasesEntryPost {
  name: string
}

/** A template entry in an image's metadata.yaml. */
export interface ImageMetadataTemplate {
  when: string[]
  create_only: boolean
  template: string
  properties: Record<string, string>
}

/** The content of an image's metadata.yaml. */
export interface ImageMetadata {
  architecture: string
  creation_date: number
  expiry_date: number
  properties: Record<string, string>
  templates: Record<string, ImageMetadataTemplate>
}
