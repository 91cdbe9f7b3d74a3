/** @module The API extensions corrald implements, in LXD 5.0.2's order (GET /1.0 api_extensions). */

/**
 * Only what is implemented is listed: clients switch behaviour on these names. Each later
 * issue appends what it builds, keeping LXD's order.
 */
export const apiExtensions: readonly string[] = [
  'etag',
  'patch',
  'profile_usedby',
  'storage',
  'entity_description',
  'operation_description',
  'event_lifecycle',
  'container_protection_delete',
  'container_full',
  'projects',
  'event_location',
  'instances',
  'image_types',
  'api_filtering',
  'event_lifecycle_requestor_address',
  'instance_all_projects',
  'event_project',
]
