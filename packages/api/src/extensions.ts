/** @module The API extensions corrald implements, in LXD 5.0.2's order (GET /1.0 api_extensions). */

/**
 * Only what is implemented is listed: clients switch behaviour on these names. Each later
 * issue appends what it builds, keeping LXD's order.
 */
export const apiExtensions: readonly string[] = [
  'etag',
  'patch',
  'directory_manipulation',
  'profile_usedby',
  'container_exec_recording',
  'container_exec_signal_handling',
  'storage',
  'file_delete',
  'file_append',
  'entity_description',
  'file_symlinks',
  'file_get_symlink',
  'operation_description',
  'event_lifecycle',
  'container_protection_delete',
  'container_full',
  'projects',
  'event_location',
  'container_exec_user_group_cwd',
  'instances',
  'image_types',
  'api_filtering',
  'event_lifecycle_requestor_address',
  'instance_all_projects',
  'event_project',
  'certificate_token',
]
