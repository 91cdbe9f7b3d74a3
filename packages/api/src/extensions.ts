/** @module The API extensions corrald implements, in LXD 5.0.2's order (GET /1.0 api_extensions). */

/**
 * Only what is implemented is listed: clients switch behaviour on these names. Each later
 * issue appends what it builds, keeping LXD's order.
 */
export const apiExtensions: readonly string[] = [
  'etag',
  'patch',
  'directory_manipulation',
  'network',
  'profile_usedby',
  'container_exec_recording',
  'container_exec_signal_handling',
  'network_firewall_filtering',
  'network_routes',
  'storage',
  'file_delete',
  'file_append',
  'network_dhcp_expiry',
  'container_only_migration',
  'entity_description',
  'file_symlinks',
  'network_dhcp_gateway',
  'file_get_symlink',
  'network_leases',
  'operation_description',
  'event_lifecycle',
  'network_state',
  'container_protection_delete',
  'network_hwaddr',
  'container_full',
  'projects',
  'event_location',
  'container_exec_user_group_cwd',
  'instances',
  'image_types',
  'api_filtering',
  'instance_nic_network',
  'network_dns_search',
  'network_state_bond_bridge',
  'warnings',
  'event_lifecycle_requestor_address',
  'instance_all_projects',
  'event_project',
  'certificate_token',
  // Corral's own, after LXD's: the daemon's security audit (GET /1.0/security/audit).
  'corral_security_audit',
]
